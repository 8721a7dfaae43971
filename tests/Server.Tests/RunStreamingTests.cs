using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Playground.Server.Runs;
using Playground.Server.Tests.Infrastructure;
using Playground.Shared.Events;
using Playground.Shared.Runs;

namespace Playground.Server.Tests;

public sealed class RunStreamingTests(PlaygroundHost host) : IClassFixture<PlaygroundHost>
{
    [Theory(Timeout = 30_000)]
    [InlineData(HubProtocolKind.Json)]
    [InlineData(HubProtocolKind.MessagePack)]
    public async Task Stream_from_start_to_end_carries_every_recorded_event(HubProtocolKind protocol)
    {
        var http = host.CreateApiClient("stream-" + protocol);
        await using var hub = await host.ConnectHubAsync(protocol);
        var start = await hub.InvokeAsync<StartResult>("Start", new RunStartRequest(RunApi.Scenario, new Dictionary<string, string?> { ["timeScale"] = "0.01" }))
            .WaitAsync(PlaygroundHost.Patience);
        Assert.Equal(StartRefusal.None, start.Refusal);
        Assert.NotNull(start.Run);
        var id = start.Run.Id;

        var batches = await hub.ReadToEndAsync(id);

        var last = batches[^1];
        Assert.True(last.Final);
        Assert.Equal(RunState.Completed, last.State);
        Assert.NotNull(last.Run);
        Assert.NotNull(last.Run.Summary);
        Assert.True(last.Run.Summary.Verdict.Held);
        Assert.All(batches[..^1], b => Assert.False(b.Final));
        Assert.All(batches, b => Assert.Equal(id, b.RunId));
        Assert.Equal(0, batches.Sum(b => b.Coalesced));
        var streamed = batches.SelectMany(b => b.Events).ToList();
        var recorded = await http.GetEventsAsync(id);
        Assert.Equal(last.Run.Summary.EventCount, recorded.Count);
        Assert.Equal(RunApi.Sorted(recorded), RunApi.Sorted(streamed));
    }

    [Theory(Timeout = 30_000)]
    [InlineData(HubProtocolKind.Json)]
    [InlineData(HubProtocolKind.MessagePack)]
    public async Task Late_viewer_of_a_finished_run_still_gets_every_event(HubProtocolKind protocol)
    {
        // More events than a viewer gets in one frame: the late viewer must catch up in several batches.
        var budget = host.Services.GetRequiredService<IOptions<RunOptions>>().Value.ViewerEventsPerFrame;
        var http = host.CreateApiClient("late-" + protocol);
        var id = await http.StartRunAsync(new Dictionary<string, object>
        {
            ["items"] = 3000,
            ["produceDelay"] = 0,
            ["consumeDelay"] = 0,
            ["timeScale"] = 0.01,
        });
        var finished = await http.WaitForFinalAsync(id);
        Assert.Equal(RunState.Completed, finished.State);
        var recorded = await http.GetEventsAsync(id);
        Assert.True(recorded.Count > 2 * budget, $"the run recorded {recorded.Count} events, not more than two frames' budget of {budget}");
        await using var hub = await host.ConnectHubAsync(protocol);

        var batches = await hub.ReadToEndAsync(id);

        Assert.True(batches[^1].Final);
        Assert.Equal(RunState.Completed, batches[^1].State);
        Assert.All(batches[..^1], b => Assert.False(b.Final));
        Assert.Equal(0, batches.Sum(b => b.Coalesced));
        Assert.All(batches, b => Assert.InRange(b.Events.Count, 0, budget));
        Assert.Equal(RunApi.Sorted(recorded), RunApi.Sorted(batches.SelectMany(b => b.Events)));
    }

    [Fact(Timeout = 30_000)]
    public async Task Streamed_event_kinds_are_the_documented_lower_case_names()
    {
        var http = host.CreateApiClient(nameof(Streamed_event_kinds_are_the_documented_lower_case_names));
        var id = await http.StartRunAsync(RunApi.Fast);
        await http.WaitForFinalAsync(id);

        var recorded = await http.GetEventsAsync(id);

        Assert.All(recorded, e => Assert.True(EventKinds.TryParse(e.Kind, out _), $"unknown kind '{e.Kind}'"));
        Assert.Contains(recorded, e => e.Kind == "put");
        Assert.Contains(recorded, e => e.Kind == "get");
    }
}
