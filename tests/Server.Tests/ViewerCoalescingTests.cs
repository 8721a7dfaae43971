using Playground.Server.Tests.Infrastructure;
using Playground.Shared.Runs;

namespace Playground.Server.Tests;

/// <summary>A host whose viewers take at most 50 events per frame.</summary>
public sealed class NarrowViewerHost : PlaygroundHost
{
    protected override IReadOnlyDictionary<string, string> Settings { get; } = new Dictionary<string, string>
    {
        ["Runs:ViewerEventsPerFrame"] = "50",
    };
}

public sealed class ViewerCoalescingTests(NarrowViewerHost host) : IClassFixture<NarrowViewerHost>
{
    // A millisecond per item for 10 000 items: the run is live for ten seconds at least (real
    // sleeps), and every frame brings far more than the viewer's 50 events.
    private static readonly Dictionary<string, object> Busy = new()
    {
        ["items"] = 10000,
        ["produceDelay"] = 0.01,
        ["consumeDelay"] = 0,
        ["jitter"] = 0,
        ["capacity"] = 1,
        ["timeScale"] = 0.1,
    };

    [Theory(Timeout = 60_000)]
    [InlineData(HubProtocolKind.Json)]
    [InlineData(HubProtocolKind.MessagePack)]
    public async Task Slow_viewer_gets_coalesced_batches_while_the_log_keeps_every_event(HubProtocolKind protocol)
    {
        var http = host.CreateApiClient("coalesce-" + protocol);
        var id = await http.StartRunAsync(Busy);
        await using var hub = await host.ConnectHubAsync(protocol);
        using var cts = new CancellationTokenSource(PlaygroundHost.Patience);
        var stream = hub.OpenStream(id, cts.Token);
        var batches = new List<EventBatch>();
        try
        {
            // While the run is live, a frame with more than the budget pending comes coalesced.
            while (await stream.MoveNextAsync().AsTask().WaitAsync(PlaygroundHost.Patience))
            {
                batches.Add(stream.Current);
                if (stream.Current.Coalesced > 0 || stream.Current.Final)
                {
                    break;
                }
            }

            Assert.False(batches[^1].Final, "the run ended before a frame was coalesced");
            using var cancel = await http.DeleteAsync(new Uri($"api/runs/{id}", UriKind.Relative));
            while (await stream.MoveNextAsync().AsTask().WaitAsync(PlaygroundHost.Patience))
            {
                batches.Add(stream.Current);
            }
        }
        finally
        {
            await stream.DisposeAsync();
        }

        Assert.True(batches[^1].Final);
        Assert.Equal(RunState.Cancelled, batches[^1].State);
        var summary = batches[^1].Run?.Summary;
        Assert.NotNull(summary);
        Assert.True(batches.Sum(b => b.Coalesced) > 0, "no batch was coalesced");
        Assert.True(batches.Sum(b => b.Events.Count) < summary.EventCount);
        Assert.Equal(0, summary.TruncatedEvents);
        var recorded = await http.GetEventsAsync(id);
        Assert.Equal(summary.EventCount, recorded.Count);
    }
}
