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
    private static readonly Dictionary<string, object> Busy = new()
    {
        ["items"] = 5000,
        ["produceDelay"] = 0,
        ["consumeDelay"] = 0,
        ["capacity"] = 1,
        ["timeScale"] = 0.001,
    };

    [Theory(Timeout = 60_000)]
    [InlineData(HubProtocolKind.Json)]
    [InlineData(HubProtocolKind.MessagePack)]
    public async Task Slow_viewer_gets_coalesced_batches_while_the_log_keeps_every_event(HubProtocolKind protocol)
    {
        var http = host.CreateApiClient("coalesce-" + protocol);
        var id = await http.StartRunAsync(Busy);
        await using var hub = await host.ConnectHubAsync(protocol);

        var batches = await hub.ReadToEndAsync(id);

        Assert.True(batches[^1].Final);
        Assert.Equal(RunState.Completed, batches[^1].State);
        var summary = batches[^1].Run?.Summary;
        Assert.NotNull(summary);
        Assert.True(batches.Sum(b => b.Coalesced) > 0, "no batch was coalesced");
        Assert.True(batches.Sum(b => b.Events.Count) < summary.EventCount);
        Assert.Equal(0, summary.TruncatedEvents);
        var recorded = await http.GetEventsAsync(id);
        Assert.Equal(summary.EventCount, recorded.Count);
    }
}
