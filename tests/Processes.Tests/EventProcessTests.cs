using System.Globalization;
using Playground.Scenarios.Engine;
using Playground.Scenarios.Event;
using Playground.Scenarios.Primitives;
using Playground.Scenarios.Processes;
using Playground.Scenarios.Recording;
using Playground.Shared.Catalog;
using Playground.Shared.Events;
using Playground.Shared.Parameters;
using static Playground.Processes.Tests.ProcessTestSupport;
using S = Playground.Shared.Catalog.EventSchema;

namespace Playground.Processes.Tests;

/// <summary>The boss and his workers as real child processes, on the shared event flag.</summary>
[Collection(ChildProcessCollection.Name)]
public sealed class EventProcessTests
{
    private static ParameterValues EventValues(params (string Name, string Value)[] knobs) => ProcessValues(S.Descriptor, knobs);

    private static FlagHistory HistoryOf(IEnumerable<RawEvent> events)
    {
        var log = new FlagEventLog();
        foreach (var e in events)
        {
            log.Observe(e);
        }

        return EventInvariant.Replay(log.Snapshot());
    }

    /// <summary>Polls on the calling thread until <paramref name="condition"/> holds.</summary>
    private static void WaitUntil(Func<bool> condition, string what)
    {
        var limit = System.Diagnostics.Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(limit.Elapsed < Deadline, $"timed out waiting until {what}");
            Thread.Sleep(5);
        }
    }

    private sealed class EventRun : IDisposable
    {
        public EventRun(ParameterValues values)
        {
            Execution = new EventScenario().Create(values, new RunEnvironment(RunId, Worker));
            Recorder = new EventRecorder(Execution.Actors.Count, 1_000_000);
        }

        public string RunId { get; } = NewRunId();

        public IScenarioExecution Execution { get; }

        public EventRecorder Recorder { get; }

        public PidObserver Observer { get; } = new();

        public CancellationTokenSource Cancel { get; } = new();

        public Task<ScenarioOutcome> Start() => Task.Run(() => Execution.Execute(Recorder, Observer, Cancel.Token));

        public void Dispose()
        {
            Recorder.Dispose();
            Cancel.Dispose();
        }
    }

    [Fact(Timeout = 60_000)]
    public async Task A_run_of_worker_processes_holds_the_verdict_measures_wake_ups_across_processes_and_leaves_nothing_behind()
    {
        using var run = new EventRun(EventValues((S.Workers, "4"), (S.Rounds, "3"), (CommonParameters.TimeScale, "0.2")));
        var execute = run.Start();
        // While it runs, the flag's files exist under the run's names.
        await Eventually(() => run.Observer.Pids.Count == 5 && Enumerable.Range(0, 5).All(a => run.Recorder[a].Count > 0), "every child has recorded an event");
        var during = SharedEntriesOf(run.RunId);
        Assert.False(execute.IsCompleted, "the run ended before its files could be seen; slow it down");
        // The flag's three, and one event ring per child.
        Assert.Equal(3, during.Count(p => !p.Contains("-events-", StringComparison.Ordinal)));
        Assert.Equal(5, during.Count(p => p.Contains("-events-", StringComparison.Ordinal)));

        var outcome = await execute.WaitAsync(Deadline);

        Assert.Null(outcome.Failure);
        Assert.True(outcome.Verdict.Held, string.Join("; ", outcome.Verdict.Evidence));
        var pids = run.Observer.Pids.Values.ToList();
        Assert.Equal(5, pids.Distinct().Count());
        Assert.DoesNotContain(Environment.ProcessId, pids);
        var metrics = MetricsOf(outcome);
        Assert.Equal(3, metrics["sets"]);
        Assert.Contains(outcome.Metrics, m => m.Name.StartsWith("startup:", StringComparison.Ordinal));
        var events = run.Recorder.Snapshot();
        var history = HistoryOf(events);
        Assert.Equal(history.WokenPasses, metrics["wakeUps"]);
        Assert.Equal(events.Where(e => e.Kind == EventKind.Set).Select(e => e.Value), history.Sets.Select(s => (long)s.Woke.Count));
        // With pauses of 1.2 s every child was back at the gate long before the last set: it woke them all.
        Assert.Equal(4, history.Sets[^1].Woke.Count);
        Assert.All(history.Sets[^1].Woke, w => Assert.True(w.LatencyTicks > 0));
        for (var a = 0; a < 5; a++)
        {
            Assert.Equal(EventKind.End, Lane(run.Recorder, a)[^1].Kind);
        }

        Assert.All(pids, AssertGone);
        Assert.Empty(SharedEntriesOf(run.RunId));
    }

    [Fact(Timeout = 120_000)]
    public async Task Many_rounds_at_a_tiny_time_scale_always_end_with_the_verdict_held()
    {
        // Pauses of 6 ms and work of 1 ms: children start late, miss sets, clear after peers have
        // passed; the run must still end, and nobody may pass while the flag is down.
        for (var attempt = 0; attempt < 3; attempt++)
        {
            using var run = new EventRun(EventValues((S.Workers, "8"), (S.Rounds, "10"), (S.Jitter, "1"),
                (CommonParameters.Seed, attempt.ToString(CultureInfo.InvariantCulture)), (CommonParameters.TimeScale, "0.001")));

            var outcome = await run.Start().WaitAsync(TimeSpan.FromSeconds(60));

            Assert.Null(outcome.Failure);
            Assert.True(outcome.Verdict.Held, string.Join("; ", outcome.Verdict.Evidence));
            var events = run.Recorder.Snapshot();
            Assert.Equal(10, events.Count(e => e.Kind == EventKind.Set && e.Actor == 8));
            Assert.Equal(EventKind.Set, events.Last(e => e.Kind is EventKind.Set or EventKind.Clear).Kind);
            Assert.All(run.Observer.Pids.Values, AssertGone);
            Assert.Empty(SharedEntriesOf(run.RunId));
        }
    }

    [Fact(Timeout = 60_000)]
    public async Task Every_worker_process_blocked_at_a_set_wakes_for_it_and_passes_each_round()
    {
        // The workers are real children running the scenario's worker loop; the test plays the boss
        // on the same shared flag, setting only once every child is blocked in its wait.
        const int workers = 4;
        const int rounds = 3;
        var values = EventValues((S.Workers, workers.ToString(CultureInfo.InvariantCulture)), (S.Rounds, rounds.ToString(CultureInfo.InvariantCulture)),
            (S.Work, "0.01"), (CommonParameters.TimeScale, "0.1"));
        var key = NewRunId();
        var names = new SharedEventNames(key);
        using var recorder = new EventRecorder(workers + 1, 100_000);
        var observer = new PidObserver();
        try
        {
            using var flag = SharedEventFlag.Create(names);
            using var notice = SharedShiftNotice.Create(key);
            // One dedicated thread spawns the children and stays until they end: a child's
            // PR_SET_PDEATHSIG fires when the thread that started it exits, not only the process.
            await Task.Factory.StartNew(() =>
            {
                using var group = new ChildProcessGroup(Worker, recorder, observer);
                var query = ShareLink.EncodeQuery(S.Descriptor, values);
                for (var w = 0; w < workers; w++)
                {
                    group.Spawn(w, $"worker-{w + 1}", ["--scenario", S.Id, "--run", key, "--actor", w.ToString(CultureInfo.InvariantCulture), "--params", query]);
                }

                var boss = recorder[workers];
                for (var round = 1; round <= rounds; round++)
                {
                    var r = round;
                    WaitUntil(() => Enumerable.Range(0, workers).All(w => Lane(recorder, w).Count(e => e.Kind == EventKind.Wait) == r) || group.FirstCrash is not null,
                        $"every child is blocked in wait {r}");
                    Assert.Null(group.FirstCrash);
                    if (round == rounds)
                    {
                        notice.SendHome();
                    }

                    flag.Set(boss);
                }

                Assert.True(group.WaitAll(CancellationToken.None));
                Assert.Null(group.FirstCrash);
            }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default).WaitAsync(Deadline);

            var history = HistoryOf(recorder.Snapshot());
            Assert.Empty(history.Violations);
            Assert.Equal(rounds, history.Sets.Count);
            Assert.All(history.Sets, set => Assert.Equal(Enumerable.Range(0, workers), set.Woke.Select(w => w.Actor).Order()));
            Assert.Equal(workers * (rounds - 1), history.Clears);
            Assert.Equal(workers, observer.Pids.Values.Distinct().Count());
            Assert.All(observer.Pids.Values, AssertGone);
        }
        finally
        {
            names.Unlink();
            SharedShiftNotice.Unlink(key);
        }

        Assert.Empty(SharedEntriesOf(key));
    }

    [Fact(Timeout = 60_000)]
    public async Task Cancelling_a_run_whose_workers_are_blocked_in_the_kernel_stops_it_and_leaves_nothing()
    {
        // The boss's pause is 3 s: the workers sit blocked in their second wait when the run is cancelled.
        using var run = new EventRun(EventValues((S.Workers, "3"), (S.BossPause, "30"), (S.Work, "0"), (CommonParameters.TimeScale, "0.1")));
        var execute = run.Start();
        await Eventually(() => run.Recorder[run.Execution.Actors.Count - 1].Count > 0
                && Enumerable.Range(0, 3).All(w => run.Recorder[w].LastKind == EventKind.Wait),
            "the boss has started and every worker is blocked in a wait");
        Assert.False(execute.IsCompleted);

        await run.Cancel.CancelAsync();
        var outcome = await execute.WaitAsync(TimeSpan.FromSeconds(15));

        Assert.True(outcome.Verdict.Held, string.Join("; ", outcome.Verdict.Evidence));
        Assert.All(run.Observer.Pids.Values, AssertGone);
        Assert.Empty(SharedEntriesOf(run.RunId));
    }
}
