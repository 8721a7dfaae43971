using System.Net;
using Playground.Server.Tests.Infrastructure;
using Playground.Shared.Runs;

namespace Playground.Server.Tests;

/// <summary>A host where each client may have one run at a time.</summary>
public sealed class OneRunPerClientHost : PlaygroundHost
{
    protected override IReadOnlyDictionary<string, string> Settings { get; } = new Dictionary<string, string>
    {
        ["Runs:MaxRunsPerClient"] = "1",
        ["Runs:MaxConcurrentRuns"] = "4",
    };
}

public sealed class PerClientCapTests(OneRunPerClientHost host) : IClassFixture<OneRunPerClientHost>
{
    [Fact(Timeout = 30_000)]
    public async Task Start_past_the_per_client_cap_is_429_with_retry_after()
    {
        var mine = host.CreateApiClient("cap-owner");
        var other = host.CreateApiClient("cap-neighbour");
        var first = await mine.StartRunAsync(RunApi.Long);

        using var second = await mine.PostRunAsync(RunApi.Long);
        var neighbours = await other.StartRunAsync(RunApi.Long);

        Assert.Equal(HttpStatusCode.TooManyRequests, second.StatusCode);
        Assert.NotNull(second.Headers.RetryAfter);
        Assert.True(second.Headers.RetryAfter.Delta > TimeSpan.Zero);
        Assert.Contains("limit is 1", await second.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        using var cancelFirst = await mine.DeleteAsync($"api/runs/{first}");
        using var cancelNeighbours = await other.DeleteAsync($"api/runs/{neighbours}");
        Assert.Equal(RunState.Cancelled, (await mine.WaitForFinalAsync(first)).State);
        Assert.Equal(RunState.Cancelled, (await other.WaitForFinalAsync(neighbours)).State);
        Assert.All(await mine.ListRunsAsync(), r => Assert.True(r.State.IsFinal(), $"run {r.Id} is still {r.State}"));
    }
}
