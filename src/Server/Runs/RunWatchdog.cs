namespace Playground.Server.Runs;

/// <summary>Once a second, stops runs with a stuck actor (see <see cref="RunManager.CheckProgress"/>).</summary>
public sealed class RunWatchdog(RunManager runs, TimeProvider time) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1), time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                runs.CheckProgress();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
