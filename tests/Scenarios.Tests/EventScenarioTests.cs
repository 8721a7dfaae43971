using System.Globalization;
using Playground.Scenarios.Engine;
using Playground.Scenarios.Event;
using Playground.Scenarios.Primitives;
using Playground.Scenarios.Recording;
using Playground.Shared.Catalog;
using Playground.Shared.Events;
using Playground.Shared.Parameters;
using Playground.Shared.Text;
using S = Playground.Shared.Catalog.EventSchema;

namespace Playground.Scenarios.Tests;

public sealed class EventScenarioTests
{
    public static TheoryData<string> LocalModes() => new() { RunModes.Threads, RunModes.Async };

    private static ParameterValues Values(params (string Name, string Value)[] knobs) => TestSupport.ValuesOf(S.Descriptor, knobs);

    private static (ScenarioOutcome Outcome, List<RawEvent> Events) Run(ParameterValues values)
    {
        var execution = new EventScenario().Create(values);
        using var recorder = new EventRecorder(execution.Actors.Count, 1_000_000);
        var outcome = execution.Execute(recorder, new RecordingObserver(), CancellationToken.None);
        Assert.Equal(0, recorder.Dropped);
        return (outcome, recorder.Snapshot());
    }

    private static FlagHistory HistoryOf(IEnumerable<RawEvent> events)
    {
        var log = new FlagEventLog();
        foreach (var e in events)
        {
            log.Observe(e);
        }

        return EventInvariant.Replay(log.Snapshot());
    }

    [Fact]
    public void The_defaults_plan_the_seed_s_run_of_five_workers_and_a_boss_in_about_seven_seconds()
    {
        var plan = new EventScenario().Plan(S.Descriptor.Defaults());

        Assert.Equal(6, plan.Actors);
        Assert.Equal(10, plan.Items);
        Assert.Equal(7, plan.EstimatedSeconds, 6);
        Assert.Equal(6, plan.LongestStepSeconds, 6);

        var timed = new EventScenario().Plan(Values((S.WaitTimeout, "8"), (S.Work, "2"), (S.Rounds, "3"), (CommonParameters.TimeScale, "0.5")));
        Assert.Equal(((6 * 2) + 2) * 0.5, timed.EstimatedSeconds, 6);
        Assert.Equal(8 * 0.5, timed.LongestStepSeconds, 6);
    }

    [Fact]
    public void The_scenario_is_registered_runnable_in_three_modes_and_no_longer_coming()
    {
        Assert.True(ScenarioRegistry.Default.TryGet(S.Id, out var scenario));
        Assert.Equal([RunModes.Threads, RunModes.Processes, RunModes.Async], scenario.Descriptor.Modes);
        Assert.DoesNotContain(ScenarioCatalog.Coming, c => c.Id == S.Id);
        var gauge = Assert.Single(scenario.Descriptor.Gauges);
        Assert.Equal((GaugeStyle.Band, EventFlagResources.Flag), (gauge.Style, gauge.Resource));
        Assert.Equal(S.FlagResource, EventFlagResources.Flag);

        var actors = scenario.Create(S.Descriptor.Defaults()).Actors;
        Assert.Equal(["worker-1", "worker-2", "worker-3", "worker-4", "worker-5", "boss"], actors.Select(a => a.Name));
        Assert.All(actors, a => Assert.False(a.Daemon));
    }

    [Theory(Timeout = 60_000)]
    [MemberData(nameof(LocalModes))]
    public async Task Every_worker_blocked_at_a_set_wakes_for_it_and_passes_each_round(string mode)
    {
        // The workers' own script on real threads (or tasks); the test plays the boss so that each
        // set comes only once every worker is blocked in its wait.
        const int workers = 6;
        var s = EventSettings.From(Values((S.Workers, Text(workers)), (S.Rounds, "3"), (S.Work, "0.01"), (CommonParameters.TimeScale, "0.1")));
        using var recorder = new EventRecorder(workers + 1, 100_000);
        var notice = new ShiftNotice();
        var monitor = new MonitorEventFlag();
        var tasks = new AsyncEventFlag();
        var boss = recorder[workers];
        var running = Enumerable.Range(0, workers).Select(w => mode == RunModes.Threads
            ? TestSupport.StartThread(() =>
            {
                EventActors.Worker(recorder[w], monitor, notice, s, CancellationToken.None);
                return true;
            }).Outcome
            : Task.Run(() => EventActors.WorkerAsync(recorder[w], tasks, notice, s, CancellationToken.None))).ToList();

        for (var round = 1; round <= s.Rounds; round++)
        {
            var r = round;
            await TestSupport.Eventually(
                () => Enumerable.Range(0, workers).All(w => TestSupport.Events(recorder[w]).Count(e => e.Kind == EventKind.Wait) == r),
                $"every worker is blocked in wait {r}");
            if (round == s.Rounds)
            {
                notice.SendHome();
            }

            if (mode == RunModes.Threads)
            {
                monitor.Set(boss);
            }
            else
            {
                tasks.Set(boss);
            }
        }

        await Task.WhenAll(running).WaitAsync(TestSupport.Deadline);

        var history = HistoryOf(recorder.Snapshot());
        Assert.Empty(history.Violations);
        Assert.Equal(s.Rounds, history.Sets.Count);
        Assert.All(history.Sets, set => Assert.Equal(Enumerable.Range(0, workers), set.Woke.Select(w => w.Actor).Order()));
        Assert.Equal(workers * (s.Rounds - 1), history.Clears);
        for (var w = 0; w < workers; w++)
        {
            Assert.Equal(EventKind.End, TestSupport.Events(recorder[w])[^1].Kind);
        }
    }

    [Theory(Timeout = 60_000)]
    [MemberData(nameof(LocalModes))]
    public async Task A_whole_run_holds_the_verdict_reports_who_woke_and_every_actor_ends(string mode)
    {
        var values = Values((CommonParameters.Mode, mode), (S.Workers, "8"), (S.Rounds, "3"), (CommonParameters.TimeScale, "0.01"));

        var (outcome, events) = await TestSupport.OnThread(() => Run(values));

        Assert.True(outcome.Verdict.Held, string.Join("; ", outcome.Verdict.Evidence));
        Assert.Null(outcome.Failure);
        var metrics = outcome.Metrics.ToDictionary(m => m.Name, m => m.Value);
        Assert.Equal(3, metrics["sets"]);
        var history = HistoryOf(events);
        Assert.Equal(history.WokenPasses, metrics["wakeUps"]);
        Assert.Equal(history.PassesAtOnce, metrics["passedAtOnce"]);
        Assert.Equal(0, metrics["timeouts"]);
        if (history.WokenPasses > 0)
        {
            Assert.InRange(metrics["meanLatencyUs"], 0, metrics["maxLatencyUs"]);
            Assert.Contains(outcome.Metrics, m => m.Name.StartsWith("latency:worker-", StringComparison.Ordinal));
        }

        // Whoever was waiting at a set woke for that set; every lane ended; the last set left the flag up.
        var counted = events.Where(e => e.Kind == EventKind.Set).Select(e => e.Value).ToList();
        Assert.Equal(counted, history.Sets.Select(x => (long)x.Woke.Count));
        for (var a = 0; a < 9; a++)
        {
            Assert.Equal(EventKind.End, events.Last(e => e.Actor == a).Kind);
        }

        Assert.Equal(EventKind.Set, events.Last(e => e.Kind is EventKind.Set or EventKind.Clear).Kind);
        // Counts: the boss's sets, each worker's passes (one per round at most).
        Assert.Equal(3, outcome.CountPerActor[8]);
        Assert.All(outcome.CountPerActor.Take(8), c => Assert.InRange(c, 1, 3));
        Assert.Equal(history.WokenPasses + history.PassesAtOnce, outcome.CountPerActor.Take(8).Sum());
        if (mode == RunModes.Async)
        {
            Assert.Contains(outcome.Notes, n => n.Key == "note.asyncThreads");
        }
    }

    [Theory(Timeout = 60_000)]
    [MemberData(nameof(LocalModes))]
    public async Task Waits_that_time_out_return_false_are_counted_and_the_workers_go_on(string mode)
    {
        // The boss pauses 60 units, a worker's wait gives up after 1: every worker's last wait times
        // out long before the second set (a worker that came late to the first may time out twice).
        var values = Values((CommonParameters.Mode, mode), (S.Workers, "3"), (S.Rounds, "2"), (S.BossPause, "60"),
            (S.Work, "0"), (S.WaitTimeout, "1"), (CommonParameters.TimeScale, "0.02"));

        var (outcome, events) = await TestSupport.OnThread(() => Run(values));

        Assert.True(outcome.Verdict.Held, string.Join("; ", outcome.Verdict.Evidence));
        var timeouts = events.Where(e => e.Kind == EventKind.Poll && e.Resource == EventFlagResources.TimedOut).ToList();
        Assert.Equal(timeouts.Count, outcome.Metrics.Single(m => m.Name == "timeouts").Value);
        Assert.Contains(outcome.Notes, n => n.Key == "event.note.timeouts");
        // A worker whose last wait timed out simply ends: its lane turns from blocked back to running
        // first. (On a busy machine a worker may start so late that the second set wakes it instead.)
        var endedOnTimeout = 0;
        for (var worker = 0; worker < 3; worker++)
        {
            var lane = events.Where(e => e.Actor == worker).ToList();
            if (lane[^2].Kind == EventKind.Acquire)
            {
                continue;
            }

            endedOnTimeout++;
            Assert.Equal([EventKind.Wait, EventKind.Poll, EventKind.End], lane[^3..].Select(e => e.Kind));
            var state = lane.Take(lane.Count - 1).Aggregate(LaneState.Idle, (st, e) => LaneStates.Next(st, e.Kind));
            Assert.Equal(LaneState.Running, state);
        }

        Assert.True(endedOnTimeout > 0, "no worker's last wait timed out");
    }

    [Fact]
    public void Every_text_of_a_report_exists_in_English_and_in_Chinese()
    {
        var values = Values((S.Workers, "4"), (S.WaitTimeout, "0.5"), (S.BossPause, "2"), (CommonParameters.TimeScale, "0.01"));
        var (outcome, _) = Run(values);
        var messages = new List<Msg> { outcome.ThroughputUnit, outcome.Verdict.Invariant, Msg.Of("actors.count.event"),
            Msg.Of(S.Descriptor.Gauges[0].LabelKey(S.Id)), ScenarioTexts.Role("boss"), ScenarioTexts.Role("worker") };
        messages.AddRange(outcome.Verdict.Evidence);
        messages.AddRange(outcome.Notes);
        messages.AddRange(outcome.Metrics.Select(m => m.Label));
        messages.AddRange(outcome.Metrics.Select(m => m.Unit).OfType<Msg>());
        // A violation's texts too, from a history with a stolen wake-up.
        var stolen = EventInvariant.Check(EventInvariant.Replay(
        [
            new FlagEvent(1, 1, FlagOperation.Wait, 1), new FlagEvent(2, 0, FlagOperation.Set, 1), new FlagEvent(3, 1, FlagOperation.Clear, 0),
            new FlagEvent(4, 2, FlagOperation.Wait, 1), new FlagEvent(5, 2, FlagOperation.Woken, 1), new FlagEvent(6, 3, FlagOperation.PassedUp, 0),
        ]), ["boss", "worker-1", "worker-2", "worker-3"], 0);
        messages.AddRange(stolen.Evidence);
        messages.Add(stolen.Explanation!);

        foreach (var culture in new[] { CultureInfo.InvariantCulture, CultureInfo.GetCultureInfo("zh-CN") })
        {
            Assert.All(messages, m => Assert.True(Msg.Template(m.Key, culture) is not null, $"{m.Key} has no text in '{culture.Name}'"));
            Assert.All(messages, m => Assert.DoesNotContain("{", m.Format(culture), StringComparison.Ordinal));
        }
    }

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);
}
