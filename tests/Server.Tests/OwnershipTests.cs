using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Playground.Server.Tests.Infrastructure;
using Playground.Shared.Runs;

namespace Playground.Server.Tests;

public sealed class OwnershipTests(PlaygroundHost host) : IClassFixture<PlaygroundHost>
{
    [Fact(Timeout = 30_000)]
    public async Task First_answer_sets_a_signed_http_only_same_site_identity_cookie()
    {
        var http = host.CreateApiClient(nameof(First_answer_sets_a_signed_http_only_same_site_identity_cookie));

        using var response = await http.GetAsync(new Uri("api/runs", UriKind.Relative));

        var cookie = Assert.Single(response.Headers.GetValues("Set-Cookie"), c => c.StartsWith("pg.id=", StringComparison.Ordinal));
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=lax", cookie, StringComparison.OrdinalIgnoreCase);
        using var again = await http.GetAsync(new Uri("api/runs", UriKind.Relative));
        Assert.False(again.Headers.Contains("Set-Cookie"), "a client that kept its cookie is not given another");
    }

    [Fact(Timeout = 30_000)]
    public async Task Another_identity_cannot_cancel_a_run_by_delete_or_hub_and_the_run_continues()
    {
        var owner = host.CreateApiClient("owner");
        var stranger = host.CreateApiClient("stranger");
        var id = await owner.StartRunAsync(RunApi.Long);
        await owner.WaitForRunAsync(id, r => r.State == RunState.Running);

        using var delete = await stranger.DeleteAsync(new Uri($"api/runs/{id}", UriKind.Relative));
        await using var hub = await host.ConnectHubAsync();
        var hubError = await Assert.ThrowsAsync<HubException>(() => hub.InvokeAsync<bool>("Cancel", id).WaitAsync(PlaygroundHost.Patience));

        Assert.Equal(HttpStatusCode.Forbidden, delete.StatusCode);
        using var problem = JsonDocument.Parse(await delete.Content.ReadAsStringAsync());
        Assert.Contains("Only the one who started", problem.RootElement.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Contains("Only the one who started", hubError.Message, StringComparison.Ordinal);
        Assert.Equal(HubConnectionState.Connected, hub.State);
        Assert.Equal(RunState.Running, (await stranger.GetRunAsync(id)).State);

        using var ownDelete = await owner.DeleteAsync(new Uri($"api/runs/{id}", UriKind.Relative));
        Assert.Equal(HttpStatusCode.Accepted, ownDelete.StatusCode);
        Assert.Equal(RunState.Cancelled, (await owner.WaitForFinalAsync(id)).State);
    }

    [Fact(Timeout = 30_000)]
    public async Task The_owner_cancels_through_the_hub_with_the_same_cookie()
    {
        var owner = host.CreateApiClient("hub-owner");
        var id = await owner.StartRunAsync(RunApi.Long);
        await using var hub = await host.ConnectHubAsync(cookies: host.CookiesOf(owner));

        Assert.True(await hub.InvokeAsync<bool>("Cancel", id).WaitAsync(PlaygroundHost.Patience));

        Assert.Equal(RunState.Cancelled, (await owner.WaitForFinalAsync(id)).State);
    }

    [Fact(Timeout = 30_000)]
    public async Task The_list_shows_only_the_callers_runs_but_anyone_may_watch_a_run_by_its_id()
    {
        var alice = host.CreateApiClient("list-alice");
        var bob = host.CreateApiClient("list-bob");
        var hers = await alice.StartRunAsync(RunApi.Fast);
        var his = await bob.StartRunAsync(RunApi.Fast);

        var aliceSees = (await alice.ListRunsAsync()).Select(r => r.Id).ToList();
        var bobSees = (await bob.ListRunsAsync()).Select(r => r.Id).ToList();

        Assert.Equal([hers], aliceSees);
        Assert.Equal([his], bobSees);
        Assert.Equal(hers, (await bob.GetRunAsync(hers)).Id);
        await using var hub = await host.ConnectHubAsync();
        var batches = await hub.ReadToEndAsync(hers);
        Assert.True(batches[^1].Final);
        await bob.WaitForFinalAsync(his);
    }

    [Fact(Timeout = 30_000)]
    public async Task A_forged_identity_cookie_is_replaced_and_owns_nothing()
    {
        var owner = host.CreateApiClient("forged-owner");
        var id = await owner.StartRunAsync(RunApi.Long);
        var forger = new CookieContainer();
        forger.Add(host.BaseAddress, new Cookie("pg.id", "CfDJ8-not-a-protected-value"));
        var http = host.CreateApiClient("forger", forger);

        using var delete = await http.DeleteAsync(new Uri($"api/runs/{id}", UriKind.Relative));

        Assert.Equal(HttpStatusCode.Forbidden, delete.StatusCode);
        Assert.Contains(delete.Headers.GetValues("Set-Cookie"), c => c.StartsWith("pg.id=", StringComparison.Ordinal));
        using var ownDelete = await owner.DeleteAsync(new Uri($"api/runs/{id}", UriKind.Relative));
        Assert.Equal(RunState.Cancelled, (await owner.WaitForFinalAsync(id)).State);
    }
}
