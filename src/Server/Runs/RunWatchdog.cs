namespace Playground.Server.Runs;

/// <summary>Once a second, stops runs with a stuck actor (see <see cref="RunManager.CheckProgress"/>).</summary>
public sealed class RunWatchdog(RunManager runs, TimeProvider time) : PeriodicRunTask(TimeSpan.FromSeconds(1), time)
{
    protected override void Tick() => runs.CheckProgress();
}
