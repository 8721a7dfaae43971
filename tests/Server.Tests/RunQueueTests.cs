using System.Net;
using System.Net.Http.Json;
using Playground.Server.Tests.Infrastructure;
using Playground.Shared.Runs;

namespace Playground.Server.Tests;

/// <summary>A host that executes one run at a time and queues the rest.</summary>
public sealed class SingleSlotHost : PlaygroundHost
{
    protected override IReadOnlyDictionary<string, string> Settings { get; } = new Dictionary<string, string>
    {
        ["Runs:MaxConcurrentRuns"] = "1",
        ["Runs:MaxRunsPerClient"] = "8",
    };
}

public sealed class RunQueueTests(SingleSlotHost host) : IClassFixture<SingleSlotHost>
{
    [Fact(Timeout = 30_000)]
    public async Task Run_past_the_global_cap_waits_in_the_queue_and_starts_when_a_slot_frees()
    {
        var alice = host.CreateApiClient("queue-alice");
        var bob = host.CreateApiClient("queue-bob");
        var first = await alice.StartRunAsync(RunApi.Long);

        using var response = await bob.PostRunAsync(RunApi.Long);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var second = await response.Content.ReadFromJsonAsync<RunApi.StartedRun>(PlaygroundHost.Json);
        Assert.NotNull(second);
        Assert.Equal(RunState.Queued, second.State);
        Assert.Equal(1, second.QueuePosition);
        Assert.Equal(1, (await bob.GetRunAsync(second.Id)).QueuePosition);

        await using var hub = await host.ConnectHubAsync();
        using var cts = new CancellationTokenSource(PlaygroundHost.Patience);
        await using var stream = hub.OpenStream(second.Id, cts.Token);
        var queued = await stream.ReadUntilAsync(b => b.Run is not null);
        Assert.Equal(RunState.Queued, queued.State);

        using var cancelFirst = await alice.DeleteAsync($"api/runs/{first}");
        Assert.Equal(HttpStatusCode.Accepted, cancelFirst.StatusCode);

        var running = await stream.ReadUntilAsync(b => b.State == RunState.Running);
        Assert.Null(running.Run?.QueuePosition);
        Assert.Equal(RunState.Cancelled, (await alice.GetRunAsync(first)).State);

        using var cancelSecond = await bob.DeleteAsync($"api/runs/{second.Id}");
        var final = await stream.ReadUntilAsync(b => b.Final);
        Assert.Equal(RunState.Cancelled, final.State);
        Assert.All(await bob.ListRunsAsync(), r => Assert.True(r.State.IsFinal(), $"run {r.Id} is still {r.State}"));
    }
}
