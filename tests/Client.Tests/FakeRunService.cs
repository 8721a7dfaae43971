using System.Runtime.CompilerServices;
using Playground.Shared.Catalog;
using Playground.Shared.Runs;

namespace Playground.Client.Tests;

/// <summary>An in-memory run service: knows the catalog, records starts, never runs anything.</summary>
internal sealed class FakeRunService : IRunService
{
    public IReadOnlyList<ScenarioDescriptor> Scenarios { get; set; } =
        [ProducerConsumerSchema.Descriptor, PoolSchema.Descriptor, SemaphoreSchema.Descriptor, EventSchema.Descriptor, TicketBookingSchema.Descriptor, .. ScenarioCatalog.Coming];

    public List<RunStartRequest> Started { get; } = [];

    public StartResult? NextResult { get; set; }

    public StartResult Start(RunStartRequest request)
    {
        Started.Add(request);
        if (NextResult is not null)
        {
            return NextResult;
        }

        var run = new RunInfo("run-1", request.Scenario, new Dictionary<string, object>(), RunState.Queued, 1, null,
            DateTimeOffset.UnixEpoch, null, null, [], null);
        return new StartResult(run, StartRefusal.None, null, [], null);
    }

    public SetupCheck? NextCheck { get; set; }

    public SetupCheck? Check(RunStartRequest request) => NextCheck ?? new SetupCheck(3, 20, 7, []);

    public bool Cancel(string runId) => false;

    /// <summary>Runs the service knows by id, and which of them are this client's own.</summary>
    public Dictionary<string, RunInfo> Known { get; } = [];

    public HashSet<string> Own { get; } = [];

    public RunInfo? Get(string runId) => Known.GetValueOrDefault(runId);

    public bool IsOwn(string runId) => Own.Contains(runId);

    public async IAsyncEnumerable<RunInfo> WatchAsync(string runId, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await Task.Delay(Timeout.Infinite, cancellationToken);
        yield break;
    }
}
