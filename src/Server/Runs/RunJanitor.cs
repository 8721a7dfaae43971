namespace Playground.Server.Runs;

/// <summary>Evicts finished runs past their retention, once a minute.</summary>
public sealed class RunJanitor(RunManager runs, TimeProvider time) : PeriodicRunTask(TimeSpan.FromMinutes(1), time)
{
    protected override void Tick() => runs.Evict();
}
