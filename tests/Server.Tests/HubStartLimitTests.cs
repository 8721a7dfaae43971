using System.Net;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Playground.Server.Tests.Infrastructure;
using Playground.Shared.Runs;

namespace Playground.Server.Tests;

/// <summary>Three hub starts per identity in a window far longer than the test.</summary>
public sealed class FewStartsHost : PlaygroundHost
{
    protected override IReadOnlyDictionary<string, string> Settings { get; } = new Dictionary<string, string>
    {
        ["Limits:StartsPerIdentity"] = "3",
        ["Limits:StartWindowSeconds"] = "3600",
    };
}

public sealed class HubStartLimitTests(FewStartsHost host) : IClassFixture<FewStartsHost>
{
    [Fact(Timeout = 30_000)]
    public async Task Start_limits_hold_per_identity_across_reconnects()
    {
        var cookies = new CookieContainer();
        var identity = host.CreateApiClient("limited", cookies);
        using (await identity.GetAsync(new Uri("api/runs", UriKind.Relative)))
        {
        }

        // Starts of a scenario that does not exist still count: they cost the server a look.
        var request = new RunStartRequest("no-such-scenario", null);
        await using (var first = await host.ConnectHubAsync(cookies: cookies))
        {
            for (var i = 0; i < 3; i++)
            {
                var result = await first.InvokeAsync<StartResult>("Start", request).WaitAsync(PlaygroundHost.Patience);
                Assert.Equal(StartRefusal.Invalid, result.Refusal);
            }
        }

        await using var second = await host.ConnectHubAsync(cookies: cookies);
        var error = await Assert.ThrowsAsync<HubException>(() => second.InvokeAsync<StartResult>("Start", request).WaitAsync(PlaygroundHost.Patience));
        Assert.Contains("Too many starts", error.Message, StringComparison.Ordinal);

        await using var someoneElse = await host.ConnectHubAsync();
        var theirs = await someoneElse.InvokeAsync<StartResult>("Start", request).WaitAsync(PlaygroundHost.Patience);
        Assert.Equal(StartRefusal.Invalid, theirs.Refusal);
    }
}
