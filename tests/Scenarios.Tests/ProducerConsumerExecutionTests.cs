using System.Globalization;
using Playground.Scenarios.Engine;
using Playground.Scenarios.ProducerConsumer;
using Playground.Scenarios.Recording;
using Playground.Shared.Catalog;
using Playground.Shared.Events;
using Playground.Shared.Parameters;
using S = Playground.Shared.Catalog.ProducerConsumerSchema;

namespace Playground.Scenarios.Tests;

public sealed class ProducerConsumerExecutionTests
{
    private const int Producers = 3;
    private const int Consumers = 4;
    private const int Items = 300;

    public static TheoryData<string, string> ShutdownsAndKinds() => new()
    {
        { S.Sentinel, S.Fifo },
        { S.Sentinel, S.Priority },
        { S.Joinable, S.Fifo },
        { S.Joinable, S.Lifo },
        { S.Joinable, S.Priority },
        { S.Poll, S.Fifo },
        { S.Poll, S.Lifo },
        { S.Poll, S.Priority },
    };

    private static ParameterValues Fast(string shutdown, string kind) =>
        TestSupport.ProducerConsumerValues(
            (S.Producers, Producers.ToString(CultureInfo.InvariantCulture)),
            (S.Consumers, Consumers.ToString(CultureInfo.InvariantCulture)),
            (S.Items, Items.ToString(CultureInfo.InvariantCulture)),
            (S.Capacity, "3"),
            (S.ProduceDelay, "0"),
            (S.ConsumeDelay, "0.001"),
            (S.Jitter, "0.5"),
            (S.QueueKind, kind),
            (S.Shutdown, shutdown),
            (CommonParameters.TimeScale, "0.001"));

    [Theory(Timeout = 60_000)]
    [MemberData(nameof(ShutdownsAndKinds))]
    public async Task A_fast_run_terminates_and_every_item_is_consumed_exactly_once(string shutdown, string kind)
    {
        var values = Fast(shutdown, kind);
        var execution = new ProducerConsumerScenario().Create(values);
        var observer = new RecordingObserver();
        using var recorder = new EventRecorder(execution.Actors.Count, 2_000_000);

        var outcome = await TestSupport.OnThread(() => execution.Execute(recorder, observer, CancellationToken.None));

        Assert.True(outcome.Verdict.Held, string.Join("; ", outcome.Verdict.Evidence));
        var metrics = outcome.Metrics.ToDictionary(m => m.Name, m => m.Value);
        Assert.Equal(Producers * Items, metrics["produced"]);
        Assert.Equal(Producers * Items, metrics["consumed"]);
        Assert.InRange(metrics["maxDepth"], 1, 3);
        Assert.Equal(Producers * Items, outcome.CountPerActor.Take(Producers).Sum());
        Assert.Equal(Producers * Items, outcome.CountPerActor.Skip(Producers).Sum());
        var polls = recorder.Snapshot().Count(e => e.Kind == EventKind.Poll);
        if (shutdown == S.Poll)
        {
            Assert.Equal(polls, metrics["wastedPolls"]);
        }
        else
        {
            Assert.False(metrics.ContainsKey("wastedPolls"));
            Assert.Equal(0, polls);
        }

        Assert.Equal(0, recorder.Dropped);
        for (var a = 0; a < recorder.ActorCount; a++)
        {
            var events = TestSupport.Events(recorder[a]);
            Assert.Equal(EventKind.Start, events[0].Kind);
            Assert.Equal(EventKind.End, events[^1].Kind);
            Assert.All(events.Where(e => e.Kind is EventKind.Put or EventKind.Get), e => Assert.InRange(e.Level, 0, 3));
        }

        var gets = recorder.Snapshot().Count(e => e.Kind == EventKind.Get && e.Value >= 0);
        Assert.Equal(Producers * Items, gets);
    }

    [Theory(Timeout = 60_000)]
    [InlineData(S.Sentinel)]
    [InlineData(S.Joinable)]
    [InlineData(S.Poll)]
    public async Task Every_actor_reports_its_own_thread_in_this_process(string shutdown)
    {
        var execution = new ProducerConsumerScenario().Create(Fast(shutdown, S.Fifo));
        var observer = new RecordingObserver();
        using var recorder = new EventRecorder(execution.Actors.Count, 1_000_000);

        await TestSupport.OnThread(() => execution.Execute(recorder, observer, CancellationToken.None));

        Assert.Equal(Enumerable.Range(0, Producers + Consumers), observer.Started.Keys.Order());
        Assert.All(observer.Started.Values, s => Assert.Equal(Environment.ProcessId, s.Pid));
        Assert.All(observer.Started.Values, s => Assert.NotEqual(0, s.ThreadId));
        Assert.Equal(Producers + Consumers, observer.Started.Values.Select(s => s.ThreadId).Distinct().Count());
    }

    [Fact(Timeout = 60_000)]
    public async Task Busy_polling_consumers_of_a_slow_producer_waste_polls_and_each_one_is_on_their_lanes()
    {
        // One producer takes 5 ms per item; two consumers eat at once and look again every 5 ms:
        // most of their looks find the queue empty.
        var values = TestSupport.ProducerConsumerValues(
            (S.Producers, "1"), (S.Consumers, "2"), (S.Items, "20"), (S.Capacity, "5"),
            (S.ProduceDelay, "0.05"), (S.ConsumeDelay, "0"), (S.Jitter, "0"),
            (S.Shutdown, S.Poll), (CommonParameters.TimeScale, "0.1"));
        var execution = new ProducerConsumerScenario().Create(values);
        using var recorder = new EventRecorder(execution.Actors.Count, 1_000_000);

        var outcome = await TestSupport.OnThread(() => execution.Execute(recorder, new RecordingObserver(), CancellationToken.None));

        Assert.True(outcome.Verdict.Held, string.Join("; ", outcome.Verdict.Evidence));
        var wasted = outcome.Metrics.Single(m => m.Name == "wastedPolls").Value;
        var events = recorder.Snapshot();
        Assert.True(wasted > 0, "consumers of a slow producer never found the queue empty");
        Assert.Equal(events.Count(e => e.Kind == EventKind.Poll), wasted);
        // Only consumers poll, and each poll of an empty queue is followed by its sleep.
        Assert.All(events.Where(e => e.Kind == EventKind.Poll), e => Assert.True(e.Actor >= 1));
        for (var a = 1; a < recorder.ActorCount; a++)
        {
            var lane = TestSupport.Events(recorder[a]);
            for (var i = 0; i < lane.Count; i++)
            {
                if (lane[i].Kind == EventKind.Poll && lane[i].Resource == "queue:empty")
                {
                    Assert.Equal(EventKind.Sleep, lane[i + 1].Kind);
                }
            }
        }

        var note = Assert.Single(outcome.Notes, n => n.Key == "pc.note.polls");
        Assert.Equal((long)wasted, Convert.ToInt64(note.Args!["polls"], CultureInfo.InvariantCulture));
    }

    [Fact]
    public void Consumers_of_a_joinable_queue_are_daemons_and_no_other_actor_is()
    {
        var joinable = new ProducerConsumerScenario().Create(TestSupport.ProducerConsumerValues(
            (S.Producers, "2"), (S.Consumers, "3"), (S.Shutdown, S.Joinable)));
        var sentinel = new ProducerConsumerScenario().Create(TestSupport.ProducerConsumerValues(
            (S.Producers, "2"), (S.Consumers, "3"), (S.Shutdown, S.Sentinel)));

        Assert.Equal([false, false, true, true, true], joinable.Actors.Select(a => a.Daemon));
        Assert.Equal(["producer", "producer", "consumer", "consumer", "consumer"], joinable.Actors.Select(a => a.Role));
        Assert.All(sentinel.Actors, a => Assert.False(a.Daemon));
    }

    [Fact(Timeout = 60_000)]
    public async Task Unbounded_queue_with_a_single_consumer_keeps_the_invariant()
    {
        var values = TestSupport.ProducerConsumerValues(
            (S.Producers, "16"), (S.Consumers, "1"), (S.Items, "500"), (S.Capacity, "0"),
            (S.ProduceDelay, "0"), (S.ConsumeDelay, "0"), (S.Shutdown, S.Sentinel));
        var execution = new ProducerConsumerScenario().Create(values);
        using var recorder = new EventRecorder(execution.Actors.Count, 1_000_000);

        var outcome = await TestSupport.OnThread(() => execution.Execute(recorder, new RecordingObserver(), CancellationToken.None));

        Assert.True(outcome.Verdict.Held, string.Join("; ", outcome.Verdict.Evidence));
        Assert.Equal(8000, outcome.Metrics.Single(m => m.Name == "consumed").Value);
    }

    [Theory(Timeout = 60_000)]
    [InlineData(S.Sentinel)]
    [InlineData(S.Joinable)]
    [InlineData(S.Poll)]
    public async Task Cancelling_a_slow_run_returns_and_every_actor_ends(string shutdown)
    {
        var values = TestSupport.ProducerConsumerValues(
            (S.Producers, "2"), (S.Consumers, "3"), (S.Items, "100"), (S.Capacity, "2"),
            (S.ProduceDelay, "10"), (S.ConsumeDelay, "10"), (S.Shutdown, shutdown),
            (CommonParameters.TimeScale, "1"));
        var execution = new ProducerConsumerScenario().Create(values);
        using var recorder = new EventRecorder(execution.Actors.Count, 1_000_000);
        using var cts = new CancellationTokenSource();

        var run = TestSupport.OnThread(() => execution.Execute(recorder, new RecordingObserver(), cts.Token));
        await TestSupport.Eventually(
            () => Enumerable.Range(0, recorder.ActorCount).All(a => recorder[a].Count > 0),
            "every actor has recorded its first event");
        await cts.CancelAsync();
        var outcome = await run;

        Assert.True(outcome.Verdict.Held, string.Join("; ", outcome.Verdict.Evidence));
        for (var a = 0; a < recorder.ActorCount; a++)
        {
            var events = TestSupport.Events(recorder[a]);
            Assert.Equal(EventKind.Start, events[0].Kind);
            Assert.Equal(EventKind.End, events[^1].Kind);
        }
    }
}
