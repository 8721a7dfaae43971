using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Playground.Shared.Runs;

namespace Playground.Client.Tests;

/// <summary>An in-memory batch service: records starts and cancels, and hands the page whatever batch states a test sends.</summary>
internal sealed class FakeBatchService : IBatchService
{
    private readonly Channel<BatchInfo> _updates = Channel.CreateUnbounded<BatchInfo>();

    public BatchLimits Limits { get; set; } = new(50, 8, 200, 900);

    public List<BatchStartRequest> Started { get; } = [];

    public List<string> Cancelled { get; } = [];

    public BatchStartResult? NextResult { get; set; }

    public List<BatchInfo> Mine { get; } = [];

    public BatchStartResult Start(BatchStartRequest request)
    {
        Started.Add(request);
        if (NextResult is not null)
        {
            return NextResult;
        }

        var rows = request.Vary?.Values.FirstOrDefault()?.Select(v => new BatchRow(
            new Dictionary<string, string> { [request.Vary.Keys.First()] = v }, 0, 0, null, [])).ToList() ?? [];
        var batch = new BatchInfo("batch-1", request.Scenario, BatchState.Queued, 0, rows.Count * request.Repeat, request.Repeat,
            "wallMs", rows, null, DateTimeOffset.UnixEpoch, null);
        return new BatchStartResult(batch, StartRefusal.None, null, [], null);
    }

    public bool Cancel(string batchId)
    {
        Cancelled.Add(batchId);
        return true;
    }

    public BatchInfo? Get(string batchId) => null;

    public IReadOnlyList<BatchInfo> List() => Mine;

    /// <summary>Hands the watching page a new state of its batch.</summary>
    public void Send(BatchInfo batch) => _updates.Writer.TryWrite(batch);

    public async IAsyncEnumerable<BatchInfo> WatchAsync(string batchId, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var batch in _updates.Reader.ReadAllAsync(cancellationToken))
        {
            yield return batch;
            if (batch.State.IsFinal())
            {
                yield break;
            }
        }
    }
}
