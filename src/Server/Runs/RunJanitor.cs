using Playground.Server.Batches;

namespace Playground.Server.Runs;

/// <summary>Evicts finished runs and batches past their retention, once a minute.</summary>
public sealed class RunJanitor(RunManager runs, BatchManager batches, TimeProvider time) : PeriodicRunTask(TimeSpan.FromMinutes(1), time)
{
    protected override void Tick()
    {
        runs.Evict();
        batches.Evict();
    }
}
