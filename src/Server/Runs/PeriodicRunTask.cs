namespace Playground.Server.Runs;

/// <summary>A piece of run housekeeping done on a fixed period until the server stops.</summary>
public abstract class PeriodicRunTask(TimeSpan period, TimeProvider time) : BackgroundService
{
    protected abstract void Tick();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(period, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                Tick();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
