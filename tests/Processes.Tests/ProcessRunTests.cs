using Playground.Scenarios.Processes;
using Playground.Shared.Catalog;
using Playground.Shared.Events;
using static Playground.Processes.Tests.ProcessTestSupport;
using S = Playground.Shared.Catalog.ProducerConsumerSchema;

namespace Playground.Processes.Tests;

[Collection(ChildProcessCollection.Name)]
public sealed class ProcessRunTests
{
    [Fact(Timeout = 60_000)]
    public async Task Each_actor_is_a_real_child_process_in_one_group_of_its_own_and_none_outlives_the_run()
    {
        // Defaults at 0.3 × speed: about two seconds, long enough to look at the children.
        using var run = new ProcessRun(Values((CommonParameters.TimeScale, "0.3")));
        var actors = run.Execution.Actors.Count;
        var execute = run.Start();

        await Eventually(() => run.Observer.Pids.Count == actors, "every child has started");
        // An event on every lane means each child has joined its group and opened the queue.
        await Eventually(() => Enumerable.Range(0, actors).All(a => run.Recorder[a].Count > 0), "every child has recorded an event");
        Assert.False(execute.IsCompleted, "the run ended before its children could be inspected; slow it down");

        var pids = run.Observer.Pids.Values.ToList();
        Assert.Equal(actors, pids.Distinct().Count());
        Assert.DoesNotContain(Environment.ProcessId, pids);
        var ourGroup = OurGroup;
        var groups = new HashSet<int>();
        foreach (var pid in pids)
        {
            Assert.True(Directory.Exists($"/proc/{pid}"), $"child {pid} has no /proc entry");
            Assert.True(IsOurDescendant(pid), $"child {pid} is not a descendant of the test process");
            var stat = Stat(pid);
            Assert.NotNull(stat);
            groups.Add(stat.Value.GroupId);
        }

        Assert.Single(groups);
        Assert.NotEqual(ourGroup, groups.Single());
        // The names the cleanup checks below look for are the ones the run really made.
        Assert.All(run.SharedNames.Paths, p => Assert.True(File.Exists(p), $"{p} does not exist while the run is on"));

        var outcome = await execute.WaitAsync(Deadline);

        Assert.True(outcome.Verdict.Held, string.Join("; ", outcome.Verdict.Evidence));
        Assert.Null(outcome.Failure);
        Assert.All(pids, AssertGone);
        Assert.All(run.SharedNames.Paths, p => Assert.False(File.Exists(p), $"{p} was left behind"));
    }

    [Fact(Timeout = 120_000)]
    public async Task Four_producer_processes_and_three_consumer_processes_move_8000_items_through_a_ring_of_four()
    {
        using var run = new ProcessRun(Values(
            (S.Producers, "4"),
            (S.Consumers, "3"),
            (S.Items, "2000"),
            (S.Capacity, "4"),
            (S.ProduceDelay, "0"),
            (S.ConsumeDelay, "0"),
            (S.Jitter, "0"),
            (CommonParameters.TimeScale, "0.001")));

        var outcome = await run.Start().WaitAsync(TimeSpan.FromSeconds(100));

        Assert.Null(outcome.Failure);
        Assert.True(outcome.Verdict.Held, string.Join("; ", outcome.Verdict.Evidence));
        var metrics = MetricsOf(outcome);
        Assert.Equal(8000, metrics["produced"]);
        Assert.Equal(8000, metrics["consumed"]);
        Assert.InRange(metrics["maxDepth"], 1, 4);
        Assert.Equal(0, run.Recorder.Dropped);

        var events = run.Recorder.Snapshot();
        var moves = events.Where(e => e.Kind is EventKind.Put or EventKind.Get).ToList();
        Assert.All(moves, e => Assert.InRange(e.Level, 0, 4));
        // Every item once in and once out, plus one sentinel per consumer each way.
        Assert.Equal(8000 + 3, moves.Count(e => e.Kind == EventKind.Put));
        Assert.Equal(8000 + 3, moves.Count(e => e.Kind == EventKind.Get));
        Assert.Equal(Enumerable.Range(0, 8000).Select(i => (long)i), moves.Where(e => e.Kind == EventKind.Get && e.Value >= 0).Select(e => e.Value).Order());
        Assert.All(run.Observer.Pids.Values, AssertGone);
    }

    public static TheoryData<string, string> ShutdownsAndKinds() => new()
    {
        // LIFO with sentinels loses items by design (the markers come out first); it is a lesson, not a bug.
        { S.Sentinel, S.Fifo },
        { S.Sentinel, S.Priority },
        { S.Joinable, S.Fifo },
        { S.Joinable, S.Lifo },
        { S.Joinable, S.Priority },
        { S.Poll, S.Fifo },
        { S.Poll, S.Lifo },
        { S.Poll, S.Priority },
    };

    [Theory(Timeout = 60_000)]
    [MemberData(nameof(ShutdownsAndKinds))]
    public async Task Every_queue_kind_and_shutdown_style_ends_with_every_item_consumed_once(string shutdown, string kind)
    {
        using var run = new ProcessRun(Values(
            (S.Producers, "2"),
            (S.Consumers, "2"),
            (S.Items, "150"),
            (S.Capacity, "3"),
            (S.ProduceDelay, "0"),
            (S.ConsumeDelay, "0.5"),
            (S.Jitter, "0.5"),
            (S.QueueKind, kind),
            (S.Shutdown, shutdown),
            (CommonParameters.TimeScale, "0.001")));

        var outcome = await run.Start().WaitAsync(Deadline);

        Assert.Null(outcome.Failure);
        Assert.True(outcome.Verdict.Held, string.Join("; ", outcome.Verdict.Evidence));
        var metrics = MetricsOf(outcome);
        Assert.Equal(300, metrics["produced"]);
        Assert.Equal(300, metrics["consumed"]);
        Assert.InRange(metrics["maxDepth"], 1, 3);
        Assert.All(run.Recorder.Snapshot().Where(e => e.Kind is EventKind.Put or EventKind.Get), e => Assert.InRange(e.Level, 0, 3));
        Assert.All(run.Observer.Pids.Values, AssertGone);
        Assert.All(run.SharedNames.Paths, p => Assert.False(File.Exists(p), $"{p} was left behind"));
    }

    [Fact(Timeout = 60_000)]
    public async Task Busy_polling_consumer_processes_of_a_slow_producer_waste_polls_and_the_report_counts_each_one()
    {
        using var run = new ProcessRun(Values(
            (S.Producers, "1"),
            (S.Consumers, "2"),
            (S.Items, "20"),
            (S.Capacity, "5"),
            (S.ProduceDelay, "0.05"),
            (S.ConsumeDelay, "0"),
            (S.Jitter, "0"),
            (S.Shutdown, S.Poll),
            (CommonParameters.TimeScale, "0.1")));

        var outcome = await run.Start().WaitAsync(Deadline);

        Assert.Null(outcome.Failure);
        Assert.True(outcome.Verdict.Held, string.Join("; ", outcome.Verdict.Evidence));
        var wasted = MetricsOf(outcome)["wastedPolls"];
        Assert.True(wasted > 0, "consumers of a slow producer never found the queue empty");
        Assert.Equal(run.Recorder.Snapshot().Count(e => e.Kind == EventKind.Poll), wasted);
        Assert.All(run.Observer.Pids.Values, AssertGone);
        Assert.All(run.SharedNames.Paths, p => Assert.False(File.Exists(p), $"{p} was left behind"));
    }

    [Fact(Timeout = 60_000)]
    public async Task A_consumer_killed_with_signal_9_becomes_a_crash_and_ends_the_run_without_a_hang()
    {
        using var run = new ProcessRun(Values((CommonParameters.TimeScale, "0.3")));
        var victim = run.ActorIndex("consumer-1");
        var execute = run.Start();

        await Eventually(() => run.Observer.PidOf(victim) != 0 && run.Recorder[victim].Count > 0, "the consumer has recorded an event");
        var pid = run.Observer.PidOf(victim);
        Assert.True(IsOurDescendant(pid));
        Assert.False(execute.IsCompleted, "the run ended before the consumer could be killed; slow it down");
        using (var process = System.Diagnostics.Process.GetProcessById(pid))
        {
            process.Kill();
        }

        var outcome = await execute.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.NotNull(outcome.Failure);
        var failure = outcome.Failure.Format(System.Globalization.CultureInfo.InvariantCulture);
        Assert.Contains("consumer-1", failure, StringComparison.Ordinal);
        Assert.Contains("signal 9", failure, StringComparison.Ordinal);
        var crash = Assert.Single(Lane(run.Recorder, victim), e => e.Kind == EventKind.Crash);
        Assert.Equal(9, crash.Value);
        Assert.All(run.Observer.Pids.Values, AssertGone);
        Assert.All(run.SharedNames.Paths, p => Assert.False(File.Exists(p), $"{p} was left behind"));
    }

    [Fact(Timeout = 60_000)]
    public async Task Cancelling_a_run_stops_it_promptly_and_leaves_no_child()
    {
        using var run = new ProcessRun(Values((CommonParameters.TimeScale, "0.3")));
        var actors = run.Execution.Actors.Count;
        var execute = run.Start();

        await Eventually(() => Enumerable.Range(0, actors).All(a => run.Observer.PidOf(a) != 0 && run.Recorder[a].Count > 0), "every child has recorded an event");
        Assert.False(execute.IsCompleted, "the run ended before it could be cancelled; slow it down");
        await run.Cancel.CancelAsync();

        var outcome = await execute.WaitAsync(TimeSpan.FromSeconds(15));

        Assert.Null(outcome.Failure);
        // Cut short: nothing lost counts against it, nothing may be consumed twice.
        Assert.True(outcome.Verdict.Held, string.Join("; ", outcome.Verdict.Evidence));
        Assert.All(run.Observer.Pids.Values, AssertGone);
        Assert.All(run.SharedNames.Paths, p => Assert.False(File.Exists(p), $"{p} was left behind"));
    }
}
