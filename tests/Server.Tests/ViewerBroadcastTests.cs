using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using Playground.Server.Hubs;
using Playground.Server.Tests.Infrastructure;
using Playground.Shared.Events;
using Playground.Shared.Runs;

namespace Playground.Server.Tests;

/// <summary>
/// A host that disconnects a viewer whose writes make no progress for a second, and sends every
/// event live (no coalescing), so a busy run's frames are large. Its sockets have small send
/// buffers, as over a slow network, so a client that stops reading holds up writes soon.
/// </summary>
public sealed class QuickStallHost : PlaygroundHost
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        // Accepted sockets take the listening socket's send buffer size.
        builder.ConfigureServices(services => services.Configure<SocketTransportOptions>(o => o.CreateBoundListenSocket = endpoint =>
        {
            var socket = SocketTransportOptions.CreateDefaultBoundListenSocket(endpoint);
            socket.SendBufferSize = 16 * 1024;
            return socket;
        }));
    }

    protected override IReadOnlyDictionary<string, string> Settings { get; } = new Dictionary<string, string>
    {
        ["Runs:ViewerStallSeconds"] = "1",
        ["Runs:ViewerEventsPerFrame"] = "200000",
        ["Runs:ViewerCatchUpEvents"] = "200000",
    };
}

/// <summary>One broadcast per watched run: late viewers catch up from the log and join the live frames.</summary>
public sealed class ViewerBroadcastTests(PlaygroundHost host) : IClassFixture<PlaygroundHost>
{
    // An item every 5 ms for 2 s or more: live long enough to join while it runs, a few
    // thousand events, never more than a frame's budget at once.
    private static readonly Dictionary<string, object> Steady = new()
    {
        ["items"] = 400,
        ["produceDelay"] = 0.5,
        ["consumeDelay"] = 0.5,
        ["jitter"] = 0,
        ["timeScale"] = 0.01,
    };

    private RunBroadcaster Broadcasts => host.Services.GetRequiredService<RunBroadcaster>();

    [Theory(Timeout = 60_000)]
    [InlineData(HubProtocolKind.Json)]
    [InlineData(HubProtocolKind.MessagePack)]
    public async Task A_viewer_joining_mid_run_gets_every_event_from_the_first_once_across_catch_up_and_live(HubProtocolKind protocol)
    {
        var http = host.CreateApiClient("mid-run-" + protocol);
        var id = await http.StartRunAsync(Steady);
        await using var early = await host.ConnectHubAsync(protocol);
        using var cts = new CancellationTokenSource(PlaygroundHost.Patience);
        await using var first = RunWatch.Open(early, id, cts.Token);
        // Let the run log a few hundred events before the second viewer comes.
        var seen = 0;
        while (seen < 300 && await first.NextAsync() is { } batch)
        {
            seen += batch.Events.Count;
        }

        await using var late = await host.ConnectHubAsync(protocol);
        await using var second = RunWatch.Open(late, id, cts.Token);
        var batches = new List<EventBatch>();
        while (await second.NextAsync() is { } batch)
        {
            batches.Add(batch);
        }

        Assert.Equal(RunState.Running, batches[0].State);
        Assert.True(batches[0].Events.Count > 0, "the late viewer's catch-up brought nothing");
        Assert.True(second.LiveCount > 0, "the run ended before the late viewer took a live frame");
        Assert.True(batches[^1].Final);
        Assert.Equal(RunState.Completed, batches[^1].State);
        Assert.Equal(0, batches.Sum(b => b.Coalesced));
        var streamed = batches.SelectMany(b => b.Events).ToList();
        var recorded = await http.GetEventsAsync(id);
        Assert.Equal(batches[^1].Run!.Summary!.EventCount, recorded.Count);
        // Every event once: the same multiset as the log, with no gap and no duplicate.
        Assert.Equal(RunApi.Sorted(recorded), RunApi.Sorted(streamed));
        Assert.Equal(streamed.Count, streamed.Distinct().Count());
    }

    [Fact(Timeout = 90_000)]
    public async Task Fifty_viewers_get_the_same_events_and_the_same_final_state()
    {
        var http = host.CreateApiClient(nameof(Fifty_viewers_get_the_same_events_and_the_same_final_state));
        await using var hubs = await host.ConnectViewersAsync(50);
        var id = await http.StartRunAsync(Steady);

        var all = await Task.WhenAll(hubs.Select(h => h.ReadToEndAsync(id)));

        var recorded = RunApi.Sorted(await http.GetEventsAsync(id));
        var finals = all.Select(batches => batches[^1]).ToList();
        Assert.All(finals, f => Assert.True(f.Final));
        Assert.All(finals, f => Assert.Equal(RunState.Completed, f.State));
        Assert.All(finals, f => Assert.Equal(recorded.Count, f.Run!.Summary!.EventCount));
        Assert.Single(finals.Select(f => (f.Run!.EndedAt, f.Run.Summary!.WallMs, f.Run.Summary.Verdict.Held)).Distinct());
        Assert.All(all, batches => Assert.Equal(recorded, RunApi.Sorted(batches.SelectMany(b => b.Events))));
    }

    [Fact(Timeout = 60_000)]
    public async Task The_broadcast_stops_when_the_run_ends_and_its_viewers_have_gone()
    {
        var http = host.CreateApiClient(nameof(The_broadcast_stops_when_the_run_ends_and_its_viewers_have_gone));
        var id = await http.StartRunAsync(Steady);
        await using (var hub = await host.ConnectHubAsync(HubProtocolKind.MessagePack))
        {
            var batches = await hub.ReadToEndAsync(id);
            Assert.True(batches[^1].Final);
        }

        await WaitUntilAsync(() => Broadcasts.ViewersOf(id) == 0 && Broadcasts.Count == 0, "the broadcast of an ended run outlived its viewers");
    }

    [Fact(Timeout = 60_000)]
    public async Task The_broadcast_of_a_live_run_stops_when_its_last_viewer_leaves()
    {
        var http = host.CreateApiClient(nameof(The_broadcast_of_a_live_run_stops_when_its_last_viewer_leaves));
        var id = await http.StartRunAsync(RunApi.Long);
        try
        {
            await using (var hub = await host.ConnectHubAsync(HubProtocolKind.MessagePack))
            {
                using var cts = new CancellationTokenSource(PlaygroundHost.Patience);
                await using var watch = RunWatch.Open(hub, id, cts.Token);
                await watch.NextAsync();
                Assert.Equal(1, Broadcasts.ViewersOf(id));
            }

            await WaitUntilAsync(() => Broadcasts.ViewersOf(id) == 0 && Broadcasts.Count == 0, "the broadcast went on with no viewer");
            Assert.Equal(RunState.Running, (await http.GetRunAsync(id)).State);

            // A new viewer starts a broadcast of its own and still gets the run from its start.
            await using var again = await host.ConnectHubAsync(HubProtocolKind.Json);
            using var cancelSoon = new CancellationTokenSource(PlaygroundHost.Patience);
            await using var second = RunWatch.Open(again, id, cancelSoon.Token);
            var firstBatch = await second.NextAsync();
            Assert.NotNull(firstBatch?.Run);
            Assert.Contains(firstBatch.Events, e => e.Kind == "start");
        }
        finally
        {
            using var cancel = await http.DeleteAsync(new Uri($"api/runs/{id}", UriKind.Relative));
        }

        await WaitUntilAsync(() => Broadcasts.Count == 0, "the broadcast outlived its run and viewers");
    }

    internal static async Task WaitUntilAsync(Func<bool> condition, string failure)
    {
        // A correctness wait, bounded: the state is reached after asynchronous clean-up.
        var deadline = DateTime.UtcNow + PlaygroundHost.Patience;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, failure);
            await Task.Delay(50);
        }
    }
}

/// <summary>A viewer that stops reading is skipped, not queued for, and then disconnected.</summary>
public sealed class StalledViewerTests(QuickStallHost host) : IClassFixture<QuickStallHost>
{
    [Fact(Timeout = 90_000)]
    public async Task A_viewer_that_stops_reading_is_dropped_while_the_others_get_the_whole_run()
    {
        var broadcasts = host.Services.GetRequiredService<RunBroadcaster>();
        var http = host.CreateApiClient(nameof(A_viewer_that_stops_reading_is_dropped_while_the_others_get_the_whole_run));
        var dropped = broadcasts.Dropped;
        // Two producers making an item a millisecond each for five seconds or more: a megabyte of
        // frames a second, far more than the stalled socket's buffers hold.
        var id = await http.StartRunAsync(new Dictionary<string, object>
        {
            ["producers"] = 2,
            ["items"] = 5000,
            ["produceDelay"] = 0.01,
            ["consumeDelay"] = 0,
            ["jitter"] = 0,
            ["timeScale"] = 0.1,
        });
        await using var reader = await host.ConnectHubAsync(HubProtocolKind.Json);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await using var watch = RunWatch.Open(reader, id, cts.Token);
        using var stalled = await StalledViewerAsync(host.BaseAddress, id, cts.Token);

        // The reader takes the whole run whatever the stalled viewer does.
        var batches = new List<EventBatch>();
        while (await watch.NextAsync() is { } batch)
        {
            batches.Add(batch);
        }

        Assert.True(batches[^1].Final);
        var recorded = await http.GetEventsAsync(id);
        Assert.Equal(RunApi.Sorted(recorded), RunApi.Sorted(batches.SelectMany(b => b.Events)));

        // The stalled viewer is skipped, then disconnected; then nothing of the broadcast is left.
        await ViewerBroadcastTests.WaitUntilAsync(() => broadcasts.Dropped > dropped, "the stalled viewer was never dropped");
        await ViewerBroadcastTests.WaitUntilAsync(() => broadcasts.ViewersOf(id) == 0 && broadcasts.Count == 0, "the broadcast outlived the dropped viewer");
        Assert.True(await ClosedAsync(stalled, cts.Token), "the stalled viewer's connection is still open");
    }

    /// <summary>
    /// A raw WebSocket viewer with a tiny receive buffer that asks for the run's stream (JSON hub
    /// protocol) and then reads nothing.
    /// </summary>
    private static async Task<ClientWebSocket> StalledViewerAsync(Uri baseAddress, string runId, CancellationToken cancellationToken)
    {
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (context, token) =>
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = 4096 };
                try
                {
                    await socket.ConnectAsync(context.DnsEndPoint, token);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        // The invoker is left to the socket: the connection it made is the WebSocket's from here on.
        var invoker = new HttpMessageInvoker(handler);
        var ws = new ClientWebSocket();
        var uri = new UriBuilder(new Uri(baseAddress, "hubs/runs")) { Scheme = "ws" }.Uri;
        await ws.ConnectAsync(uri, invoker, cancellationToken);
        await SendAsync(ws, """{"protocol":"json","version":1}""", cancellationToken);
        await SendAsync(ws, $$"""{"type":4,"invocationId":"1","target":"StreamEvents","arguments":["{{runId}}"]}""", cancellationToken);
        return ws;
    }

    private static Task SendAsync(ClientWebSocket ws, string message, CancellationToken cancellationToken) =>
        ws.SendAsync(Encoding.UTF8.GetBytes(message + "\u001e"), WebSocketMessageType.Text, endOfMessage: true, cancellationToken);

    private static async Task<bool> ClosedAsync(ClientWebSocket ws, CancellationToken cancellationToken)
    {
        var buffer = new byte[64 * 1024];
        try
        {
            while (true)
            {
                var result = await ws.ReceiveAsync(buffer, cancellationToken).WaitAsync(PlaygroundHost.Patience, cancellationToken);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    return true;
                }
            }
        }
        catch (WebSocketException)
        {
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }
}
