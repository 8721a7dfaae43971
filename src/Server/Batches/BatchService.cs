using System.Runtime.CompilerServices;
using Playground.Server.Identity;
using Playground.Server.Limits;
using Playground.Shared.Runs;

namespace Playground.Server.Batches;

/// <summary>
/// The batch service that components use in the circuit: a thin face of <see cref="BatchManager"/>
/// acting as the circuit's owner, as <see cref="Runs.RunService"/> does for runs. Starting a batch
/// takes one start from the start limiter, as a run would; the batch's own runs take none.
/// </summary>
public sealed class BatchService(BatchManager batches, CircuitOwner owner, StartLimiter starts) : IBatchService
{
    public BatchLimits Limits => batches.Limits;

    public BatchStartResult Start(BatchStartRequest request)
    {
        var who = owner.Owner;
        if (!starts.TryTake(who))
        {
            return new BatchStartResult(null, StartRefusal.Busy, starts.Refusal, [], starts.Window);
        }

        return batches.Start(request, who);
    }

    public bool Cancel(string batchId) => batches.Cancel(batchId, owner.Owner) == Runs.CancelOutcome.Cancelled;

    public BatchInfo? Get(string batchId) => batches.Find(batchId)?.ToInfo();

    public IReadOnlyList<BatchInfo> List() => [.. batches.List(owner.Owner).Select(b => b.ToInfo())];

    public async IAsyncEnumerable<BatchInfo> WatchAsync(string batchId, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var batch = batches.Find(batchId);
        if (batch is null)
        {
            yield break;
        }

        while (true)
        {
            var changed = batch.Changed;
            var info = batch.ToInfo();
            yield return info;
            if (info.State.IsFinal())
            {
                yield break;
            }

            await changed.WaitAsync(cancellationToken);
        }
    }
}
