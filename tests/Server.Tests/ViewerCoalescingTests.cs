using Playground.Scenarios.Recording;
using Playground.Server.Runs;
using Playground.Server.Tests.Infrastructure;
using Playground.Shared.Catalog;
using Playground.Shared.Events;
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

/// <summary>A host whose viewers catch up on at most 500 events once a run has ended.</summary>
public sealed class ShortCatchUpHost : PlaygroundHost
{
    protected override IReadOnlyDictionary<string, string> Settings { get; } = new Dictionary<string, string>
    {
        ["Runs:ViewerCatchUpEvents"] = "500",
    };
}

/// <summary>A late viewer of a long finished run gets its end alone; the page draws the rest from tiles.</summary>
public sealed class LateViewerTests(ShortCatchUpHost host) : IClassFixture<ShortCatchUpHost>
{
    [Theory(Timeout = 60_000)]
    [InlineData(HubProtocolKind.Json)]
    [InlineData(HubProtocolKind.MessagePack)]
    public async Task A_late_viewer_of_a_long_finished_run_gets_only_its_end_with_every_event_counted_as_left_out(HubProtocolKind protocol)
    {
        var http = host.CreateApiClient("late-long-" + protocol);
        var id = await http.StartRunAsync(new Dictionary<string, object> { ["items"] = 400, ["produceDelay"] = 0, ["consumeDelay"] = 0, ["timeScale"] = 0.01 });
        var finished = await http.WaitForFinalAsync(id);
        Assert.True(finished.Summary!.EventCount > 500, $"the run recorded only {finished.Summary.EventCount} events");
        await using var hub = await host.ConnectHubAsync(protocol);

        var batches = await hub.ReadToEndAsync(id);

        var only = Assert.Single(batches);
        Assert.True(only.Final);
        Assert.Empty(only.Events);
        Assert.Equal(finished.Summary.EventCount, only.Coalesced);
        Assert.Equal(finished.Summary.EventCount, only.Run?.Summary?.EventCount);
    }

    [Theory(Timeout = 60_000)]
    [InlineData(HubProtocolKind.Json)]
    public async Task A_late_viewer_of_a_short_finished_run_still_gets_every_event(HubProtocolKind protocol)
    {
        var http = host.CreateApiClient("late-short-" + protocol);
        var id = await http.StartRunAsync(new Dictionary<string, object> { ["items"] = 20, ["timeScale"] = 0.01 });
        var finished = await http.WaitForFinalAsync(id);
        Assert.InRange(finished.Summary!.EventCount, 1, 500);
        await using var hub = await host.ConnectHubAsync(protocol);

        var batches = await hub.ReadToEndAsync(id);

        Assert.Equal(0, batches.Sum(b => b.Coalesced));
        Assert.Equal(finished.Summary.EventCount, batches.Sum(b => b.Events.Count));
    }
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

    private static readonly GaugeSpec Depth = new() { Id = "depth", Resource = "queue", LimitParameter = "capacity" };
    private static readonly GaugeSpec Flag = new() { Id = "flag", Resource = "event", Style = GaugeStyle.Band };

    [Theory(Timeout = 60_000)]
    [InlineData(HubProtocolKind.Json)]
    [InlineData(HubProtocolKind.MessagePack)]
    public async Task Slow_viewer_gets_coalesced_batches_while_the_log_keeps_every_event(HubProtocolKind protocol)
    {
        var http = host.CreateApiClient("coalesce-" + protocol);
        var id = await http.StartRunAsync(Busy);
        await using var hub = await host.ConnectHubAsync(protocol);
        using var cts = new CancellationTokenSource(PlaygroundHost.Patience);
        await using var watch = RunWatch.Open(hub, id, cts.Token);
        var batches = new List<EventBatch>();
        // While the run is live, a frame with more than the budget pending comes coalesced.
        while (await watch.NextAsync() is { } batch)
        {
            batches.Add(batch);
            if (batch.Coalesced > 0 || batch.Final)
            {
                break;
            }
        }

        Assert.False(batches[^1].Final, "the run ended before a frame was coalesced");
        using var cancel = await http.DeleteAsync(new Uri($"api/runs/{id}", UriKind.Relative));
        while (await watch.NextAsync() is { } batch)
        {
            batches.Add(batch);
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

        // The viewer's chart of the queue ends where the recorded one does, however much was left out.
        var gauge = ProducerConsumerSchema.Descriptor.Gauges.Single();
        var streamedLast = batches.SelectMany(b => b.Events).Last(e => gauge.Matches(e.Resource) && e.Level >= 0);
        var recordedLast = recorded.Last(e => gauge.Matches(e.Resource) && e.Level >= 0);
        Assert.Equal(recordedLast.Level, streamedLast.Level);
        Assert.Equal(recordedLast.T, streamedLast.T);
    }

    [Fact]
    public void Over_budget_a_frame_keeps_each_gauges_latest_event_across_actors_and_each_actors_last_state_change()
    {
        using var recorder = new EventRecorder(2, 10_000);
        var clock = recorder.StartTimestamp;
        // Explicit timestamps, one apart, so the order is exactly as listed.
        void At(int actor, EventKind kind, string? resource = null, long value = 0, long level = -1) =>
            recorder[actor].RecordAt(++clock, kind, resource, value, level);
        At(0, EventKind.Start);
        At(0, EventKind.Put, "queue", 1, 1);
        At(1, EventKind.Start);
        At(0, EventKind.Set, "event", 0, 1);          // the flag's latest: actor 0's, before its later queue events
        At(1, EventKind.Get, "queue", 1, 0);
        At(0, EventKind.Put, "queue", 2, 1);
        At(0, EventKind.Work, "make", 3);              // actor 0's last state change
        At(1, EventKind.Wait, "queue:empty", 0, 0);    // actor 1's last state change, and the queue's latest (a detail of "queue")
        At(1, EventKind.Poll, "queue:empty");          // no level: not a reading, but it ends actor 1's block
        At(0, EventKind.Put, "lot", 3, 4);             // a level, but of no declared gauge

        var cursors = new int[2];
        var sent = new List<RunEventDto>();
        var coalesced = RunEventStream.ReadFrame(recorder, [Depth, Flag], cursors, budget: 3, sent);

        Assert.Equal(
            [("set", "event", 1L), ("work", "make", -1L), ("wait", "queue:empty", 0L), ("poll", "queue:empty", -1L)],
            sent.Select(e => (e.Kind, e.Resource, e.Level)));
        Assert.Equal(recorder.Count - sent.Count, coalesced);
        Assert.True(sent.Zip(sent.Skip(1)).All(p => p.First.T <= p.Second.T), "a frame goes out in time order");
        Assert.Equal(0, recorder.Pending(cursors));
    }

    [Fact]
    public void An_event_that_is_both_a_gauges_latest_and_an_actors_last_state_change_goes_once()
    {
        using var recorder = new EventRecorder(1, 10_000);
        var a = recorder[0];
        a.Record(EventKind.Start);
        a.Record(EventKind.Put, "queue", 1, 1);
        a.Record(EventKind.Put, "queue", 2, 2);
        a.Record(EventKind.Wait, "queue:full", 3, 2);

        var sent = new List<RunEventDto>();
        var coalesced = RunEventStream.ReadFrame(recorder, [Depth], new int[1], budget: 1, sent);

        var only = Assert.Single(sent);
        Assert.Equal(("wait", 2L), (only.Kind, only.Level));
        Assert.Equal(3, coalesced);
    }

    [Fact]
    public void Within_budget_a_frame_sends_everything()
    {
        using var recorder = new EventRecorder(1, 10_000);
        recorder[0].Record(EventKind.Start);
        recorder[0].Record(EventKind.Put, "queue", 1, 1);

        var sent = new List<RunEventDto>();
        var coalesced = RunEventStream.ReadFrame(recorder, [Depth], new int[1], budget: 2, sent);

        Assert.Equal(2, sent.Count);
        Assert.Equal(0, coalesced);
    }

    [Fact]
    public void Over_budget_the_instant_that_ended_an_actors_last_block_goes_too()
    {
        using var recorder = new EventRecorder(1, 10_000);
        var a = recorder[0];
        a.Record(EventKind.Start);
        a.Record(EventKind.Wait, "lot", 0, 5);
        a.Record(EventKind.Acquire, "lot", 0, 5);     // the car got a space: its lane runs again
        a.Record(EventKind.Release, "lot", 1, 4);     // a later instant changes nothing more

        var sent = new List<RunEventDto>();
        RunEventStream.ReadFrame(recorder, [], new int[1], budget: 1, sent);

        Assert.Equal(["wait", "acquire"], sent.Select(e => e.Kind));
    }
}
