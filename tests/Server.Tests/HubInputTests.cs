using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Playground.Server.Tests.Infrastructure;
using Playground.Shared.Runs;

namespace Playground.Server.Tests;

public sealed class HubInputTests(PlaygroundHost host) : IClassFixture<PlaygroundHost>
{
    [Theory(Timeout = 30_000)]
    [InlineData(HubProtocolKind.Json)]
    [InlineData(HubProtocolKind.MessagePack)]
    public async Task Streaming_an_unknown_run_is_a_clear_hub_error_and_the_connection_survives(HubProtocolKind protocol)
    {
        await using var hub = await host.ConnectHubAsync(protocol);

        var error = await Assert.ThrowsAsync<HubException>(() => hub.ReadToEndAsync("no-such-run"));

        Assert.Contains("There is no run 'no-such-run'", error.Message, StringComparison.Ordinal);
        Assert.Equal(HubConnectionState.Connected, hub.State);
        Assert.False(await hub.InvokeAsync<bool>("Cancel", "no-such-run").WaitAsync(PlaygroundHost.Patience));
    }

    [Theory(Timeout = 30_000)]
    [InlineData(HubProtocolKind.Json)]
    [InlineData(HubProtocolKind.MessagePack)]
    public async Task Start_with_an_invalid_parameter_is_refused_naming_the_field(HubProtocolKind protocol)
    {
        await using var hub = await host.ConnectHubAsync(protocol);

        var result = await hub.InvokeAsync<StartResult>("Start", new RunStartRequest(RunApi.Scenario,
            new Dictionary<string, string?> { ["consumers"] = "99" })).WaitAsync(PlaygroundHost.Patience);

        Assert.False(result.Accepted);
        Assert.Null(result.Run);
        Assert.Equal(StartRefusal.Invalid, result.Refusal);
        var error = Assert.Single(result.Errors);
        Assert.Equal("consumers", error.Field);
        Assert.Contains("1 to 16", error.Message, StringComparison.Ordinal);
        Assert.Equal(HubConnectionState.Connected, hub.State);
    }

    [Fact(Timeout = 30_000)]
    public async Task Start_of_an_unknown_scenario_is_refused_naming_the_scenario()
    {
        await using var hub = await host.ConnectHubAsync();

        var result = await hub.InvokeAsync<StartResult>("Start", new RunStartRequest("dining-philosophers", null))
            .WaitAsync(PlaygroundHost.Patience);

        Assert.Equal(StartRefusal.Invalid, result.Refusal);
        Assert.Equal("scenario", Assert.Single(result.Errors).Field);
    }

    [Fact(Timeout = 30_000)]
    public async Task Get_of_an_unknown_run_is_a_hub_error()
    {
        await using var hub = await host.ConnectHubAsync();

        var error = await Assert.ThrowsAsync<HubException>(() => hub.InvokeAsync<RunInfo>("Get", "no-such-run").WaitAsync(PlaygroundHost.Patience));

        Assert.Contains("no run", error.Message, StringComparison.Ordinal);
        Assert.Equal(HubConnectionState.Connected, hub.State);
    }
}
