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

        // One row per combination of the varied values, the first knob changing slowest, as the server crosses them.
        IEnumerable<Dictionary<string, string>> combinations = [[]];
        foreach (var (name, values) in request.Vary ?? new Dictionary<string, IReadOnlyList<string>>())
        {
            combinations = combinations.SelectMany(c => values.Select(v => new Dictionary<string, string>(c) { [name] = v }));
        }

        var rows = combinations.Select(c => new BatchRow(c, 0, 0, null, [])).ToList();
        var batch = new BatchInfo("batch-1", request.Scenario, BatchState.Queued, 0, rows.Count * request.Repeat, request.Repeat,
            "wallMs", rows, null, DateTimeOffset.UnixEpoch, null,
            request.Parameters?.Where(kv => request.Vary?.ContainsKey(kv.Key) != true).ToDictionary(kv => kv.Key, kv => kv.Value ?? ""),
            request.Vary);
        return new BatchStartResult(batch, StartRefusal.None, null, [], null);
    }

    public bool Cancel(string batchId)
    {
        Cancelled.Add(batchId);
        return true;
    }

    /// <summary>Batches the server knows, anyone's: what Get answers.</summary>
    public Dictionary<string, BatchInfo> Known { get; } = [];

    public BatchInfo? Get(string batchId) => Known.GetValueOrDefault(batchId);

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
