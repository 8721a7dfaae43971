using System.Net;
using Microsoft.AspNetCore.SignalR.Client;
using Playground.Server.Tests.Infrastructure;
using Playground.Shared.Runs;

namespace Playground.Server.Tests;

public sealed class RunCancellationTests(PlaygroundHost host) : IClassFixture<PlaygroundHost>
{
    [Fact(Timeout = 30_000)]
    public async Task Delete_cancels_a_running_run_and_nothing_is_left_running()
    {
        var http = host.CreateApiClient(nameof(Delete_cancels_a_running_run_and_nothing_is_left_running));
        var id = await http.StartRunAsync(RunApi.Long);
        await using var hub = await host.ConnectHubAsync();
        using var cts = new CancellationTokenSource(PlaygroundHost.Patience);
        await using var stream = hub.OpenStream(id, cts.Token);
        await stream.ReadUntilAsync(b => b.State == RunState.Running && b.Events.Count > 0);

        using var response = await http.DeleteAsync($"api/runs/{id}");

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var final = await stream.ReadUntilAsync(b => b.Final);
        Assert.Equal(RunState.Cancelled, final.State);
        var run = await http.GetRunAsync(id);
        Assert.Equal(RunState.Cancelled, run.State);
        Assert.Equal("reason.cancelled", run.Reason?.Key);
        AssertEveryRunIsFinal();
    }

    [Fact(Timeout = 30_000)]
    public async Task Delete_of_a_run_that_already_ended_is_a_409_and_changes_nothing()
    {
        var http = host.CreateApiClient(nameof(Delete_of_a_run_that_already_ended_is_a_409_and_changes_nothing));
        var id = await http.StartRunAsync(RunApi.Fast);
        var done = await http.WaitForFinalAsync(id);
        Assert.Equal(RunState.Completed, done.State);

        using var response = await http.DeleteAsync($"api/runs/{id}");

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Equal(RunState.Completed, (await http.GetRunAsync(id)).State);
    }

    [Fact(Timeout = 30_000)]
    public async Task Hub_cancel_stops_a_running_run()
    {
        await using var hub = await host.ConnectHubAsync();
        var start = await hub.InvokeAsync<StartResult>("Start", new RunStartRequest(RunApi.Scenario,
            new Dictionary<string, string?> { ["items"] = "100", ["timeScale"] = "1" })).WaitAsync(PlaygroundHost.Patience);
        Assert.True(start.Accepted, start.Message?.Key);
        var id = start.Run!.Id;
        using var cts = new CancellationTokenSource(PlaygroundHost.Patience);
        await using var stream = hub.OpenStream(id, cts.Token);
        await stream.ReadUntilAsync(b => b.State == RunState.Running && b.Events.Count > 0);

        var cancelled = await hub.InvokeAsync<bool>("Cancel", id).WaitAsync(PlaygroundHost.Patience);

        Assert.True(cancelled);
        var final = await stream.ReadUntilAsync(b => b.Final);
        Assert.Equal(RunState.Cancelled, final.State);
        Assert.False(await hub.InvokeAsync<bool>("Cancel", id).WaitAsync(PlaygroundHost.Patience));
        AssertEveryRunIsFinal();
    }

    private void AssertEveryRunIsFinal()
    {
        var runs = host.AllRuns().Select(r => r.ToInfo()).ToList();
        Assert.NotEmpty(runs);
        Assert.All(runs, r => Assert.True(r.State.IsFinal(), $"run {r.Id} is still {r.State}"));
    }
}
