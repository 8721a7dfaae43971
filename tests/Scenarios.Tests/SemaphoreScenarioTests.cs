using System.Diagnostics;
using System.Globalization;
using Playground.Scenarios.Engine;
using Playground.Scenarios.Recording;
using Playground.Scenarios.Semaphore;
using Playground.Shared.Catalog;
using Playground.Shared.Events;
using Playground.Shared.Parameters;
using S = Playground.Shared.Catalog.SemaphoreSchema;

namespace Playground.Scenarios.Tests;

public sealed class SemaphoreScenarioTests
{
    public static TheoryData<string> LocalModes() => new() { RunModes.Threads, RunModes.Async };

    private static ParameterValues Values(params (string Name, string Value)[] knobs) => TestSupport.ValuesOf(S.Descriptor, knobs);

    private static async Task<(ScenarioOutcome Outcome, EventRecorder Recorder, RecordingObserver Observer)> Run(ParameterValues values)
    {
        var execution = new SemaphoreScenario().Create(values);
        var observer = new RecordingObserver();
        var recorder = new EventRecorder(execution.Actors.Count, 1_000_000);
        var outcome = await TestSupport.OnThread(() => execution.Execute(recorder, observer, CancellationToken.None));
        return (outcome, recorder, observer);
    }

    private static Dictionary<string, double> Metrics(ScenarioOutcome outcome) => outcome.Metrics.ToDictionary(m => m.Name, m => m.Value);

    private static string Evidence(ScenarioOutcome outcome) => string.Join("; ", outcome.Verdict.Evidence.Select(m => m.Key));

    [Theory(Timeout = 60_000)]
    [MemberData(nameof(LocalModes))]
    public async Task Two_hundred_cars_over_three_spaces_never_have_more_than_three_parked(string mode)
    {
        var (outcome, recorder, observer) = await Run(Values(
            (S.Workers, "200"), (S.Permits, "3"), (CommonParameters.Mode, mode), (CommonParameters.TimeScale, "0.001")));
        using var _ = recorder;

        Assert.True(outcome.Verdict.Held, Evidence(outcome));
        Assert.Null(outcome.Verdict.Explanation);
        var metrics = Metrics(outcome);
        var events = recorder.Snapshot();
        var levels = events.Where(e => e.Resource == S.Resource && e.Kind is EventKind.Acquire or EventKind.Release).Select(e => e.Level).ToList();
        Assert.Equal(200, levels.Count / 2);
        Assert.All(levels, l => Assert.InRange(l, 0, 3));
        Assert.Equal(levels.Max(), metrics["peakInUse"]);
        Assert.InRange(metrics["peakParked"], 1, 3);
        Assert.Equal(events.Count(e => e.Kind == EventKind.Wait), metrics["waits"]);
        Assert.Equal(3, metrics["finalCount"]);
        Assert.Equal(0, metrics["refusedReleases"]);
        Assert.All(outcome.CountPerActor, c => Assert.Equal(1, c));
        Assert.True(outcome.Throughput > 0);
        for (var a = 0; a < recorder.ActorCount; a++)
        {
            var lane = TestSupport.Events(recorder[a]);
            Assert.Equal(EventKind.Start, lane[0].Kind);
            Assert.Equal(EventKind.End, lane[^1].Kind);
            Assert.DoesNotContain(lane, e => e.Kind is EventKind.Crash or EventKind.Error);
        }

        Assert.Equal(200, observer.Started.Count);
        if (mode == RunModes.Threads)
        {
            Assert.Equal(200, observer.Started.Values.Select(s => s.ThreadId).Distinct().Count());
        }
        else
        {
            Assert.Contains(outcome.Notes, n => n.Key == "note.asyncThreads");
        }

        Assert.Contains(outcome.Notes, n => n.Key == "sem.note.order." + mode);
    }

    [Theory(Timeout = 60_000)]
    [MemberData(nameof(LocalModes))]
    public async Task A_bounded_semaphore_refuses_the_planted_extra_release_once_and_the_car_survives(string mode)
    {
        var (outcome, recorder, _) = await Run(Values(
            (S.Workers, "20"), (S.Permits, "3"), (S.Kind, S.Bounded), (S.ExtraRelease, S.On),
            (CommonParameters.Mode, mode), (CommonParameters.TimeScale, "0.001")));
        using var _ = recorder;

        Assert.False(outcome.Verdict.Held);
        Assert.NotNull(outcome.Verdict.Explanation);
        Assert.StartsWith("sem.explain.bounded", outcome.Verdict.Explanation!.Key, StringComparison.Ordinal);
        Assert.Contains(outcome.Verdict.Evidence, m => m.Key == "sem.evidence.refused");
        var metrics = Metrics(outcome);
        Assert.Equal(1, metrics["refusedReleases"]);
        Assert.Equal(3, metrics["finalCount"]);
        Assert.Equal(21, outcome.CountPerActor.Sum());
        var error = Assert.Single(recorder.Snapshot(), e => e.Kind == EventKind.Error);
        Assert.Equal(S.Resource, error.Resource);
        Assert.Equal(3, error.Value);
        for (var a = 0; a < recorder.ActorCount; a++)
        {
            var lane = TestSupport.Events(recorder[a]);
            Assert.Equal(EventKind.End, lane[^1].Kind);
            Assert.DoesNotContain(lane, e => e.Kind == EventKind.Crash);
        }
    }

    [Theory(Timeout = 60_000)]
    [MemberData(nameof(LocalModes))]
    public async Task A_counting_semaphore_grows_by_the_planted_extra_release(string mode)
    {
        var (outcome, recorder, _) = await Run(Values(
            (S.Workers, "20"), (S.Permits, "3"), (S.Kind, S.Counting), (S.ExtraRelease, S.On),
            (CommonParameters.Mode, mode), (CommonParameters.TimeScale, "0.001")));
        using var _ = recorder;

        var metrics = Metrics(outcome);
        Assert.Equal(4, metrics["finalCount"]);
        Assert.Equal(0, metrics["refusedReleases"]);
        Assert.DoesNotContain(recorder.Snapshot(), e => e.Kind == EventKind.Error);
        Assert.Contains(outcome.Verdict.Evidence, m => m.Key == "sem.evidence.countGrew");
        // Whether a fourth car got in depends on who was waiting then; the verdict follows what happened.
        Assert.InRange(metrics["peakInUse"], 1, 4);
        Assert.Equal(metrics["peakInUse"] <= 3, outcome.Verdict.Held);
        if (!outcome.Verdict.Held)
        {
            Assert.Equal("sem.explain.counting", outcome.Verdict.Explanation?.Key);
        }
    }

    [Theory(Timeout = 60_000)]
    [MemberData(nameof(LocalModes))]
    public async Task The_verdicts_times_count_from_the_runs_start_as_the_timeline_and_the_gauge_summary_do(string mode)
    {
        var (outcome, recorder, _) = await Run(Values(
            (S.Workers, "10"), (S.Permits, "2"), (S.Kind, S.Bounded), (S.ExtraRelease, S.On),
            (CommonParameters.Mode, mode), (CommonParameters.TimeScale, "0.001")));
        using var _ = recorder;
        double SinceStart(long timestamp) => recorder.ToNanoseconds(timestamp) / 1e9;

        // The peak: the gauge summary's moment, and the verdict's.
        var gauge = GaugeExtremes.Measure(recorder, S.Descriptor.Gauges).Single();
        var peak = Assert.Single(outcome.Verdict.Evidence, m => m.Key is "sem.evidence.peak" or "sem.evidence.overflow");
        Assert.Equal(SinceStart(gauge.MaxTimestamp), Convert.ToDouble(peak.Args!["at"], CultureInfo.InvariantCulture), 6);

        // The refused release: the timeline's error mark, and the verdict's.
        var error = Assert.Single(recorder.Snapshot(), e => e.Kind == EventKind.Error);
        var refused = Assert.Single(outcome.Verdict.Evidence, m => m.Key == "sem.evidence.refused");
        Assert.Equal(SinceStart(error.Timestamp), Convert.ToDouble(refused.Args!["at"], CultureInfo.InvariantCulture), 6);
    }

    [Fact(Timeout = 60_000)]
    public async Task With_a_single_car_a_bounded_semaphore_catches_the_extra_release_at_once()
    {
        var (outcome, recorder, _) = await Run(Values(
            (S.Workers, "1"), (S.Permits, "3"), (S.Kind, S.Bounded), (S.ExtraRelease, S.On), (CommonParameters.TimeScale, "0.001")));
        using var _ = recorder;

        Assert.False(outcome.Verdict.Held);
        Assert.Equal("sem.explain.boundedCaught", outcome.Verdict.Explanation?.Key);
        Assert.Equal(1, Metrics(outcome)["peakInUse"]);
        Assert.Equal(
            [EventKind.Start, EventKind.Acquire, EventKind.Sleep, EventKind.Work, EventKind.Release, EventKind.Error, EventKind.End],
            TestSupport.Events(recorder[0]).Select(e => e.Kind));
    }

    [Fact(Timeout = 60_000)]
    public async Task Staggered_cars_arrive_one_after_another_and_the_first_does_not_wait_to_arrive()
    {
        var (outcome, recorder, _) = await Run(Values(
            (S.Workers, "10"), (S.Permits, "2"), (S.Arrival, S.Staggered), (CommonParameters.TimeScale, "0.001")));
        using var _ = recorder;

        Assert.True(outcome.Verdict.Held, Evidence(outcome));
        Assert.DoesNotContain(TestSupport.Events(recorder[0]), e => e.Resource == "arriving");
        Assert.All(Enumerable.Range(1, 9), a => Assert.Contains(TestSupport.Events(recorder[a]), e => e.Kind == EventKind.Sleep && e.Resource == "arriving"));
    }

    [Fact]
    public void Staggered_arrivals_are_spread_one_gap_apart_on_average_and_the_same_in_every_process()
    {
        var s = SemaphoreSettings.From(Values((S.Arrival, S.Staggered), (CommonParameters.TimeScale, "1")));
        var again = SemaphoreSettings.From(Values((S.Arrival, S.Staggered), (CommonParameters.TimeScale, "1")));

        var delays = Enumerable.Range(0, s.Workers).Select(s.ArrivalDelay).ToList();

        Assert.Equal(TimeSpan.Zero, delays[0]);
        Assert.True(delays.Zip(delays.Skip(1)).All(p => p.Second > p.First), "arrivals are not in car order");
        Assert.Equal(delays, Enumerable.Range(0, s.Workers).Select(again.ArrivalDelay));
        // 99 gaps of 5 s ÷ 5 spaces, each ±20%.
        Assert.InRange(delays[^1].TotalSeconds, 99 * 0.8, 99 * 1.2);
        Assert.Equal(99, s.ArrivalSpread);
    }

    [Fact]
    public void The_default_setup_is_the_tutorials_and_fits_well_inside_a_minute()
    {
        var values = S.Descriptor.Defaults();
        var plan = new SemaphoreScenario().Plan(values);

        Assert.Equal(100, plan.Actors);
        Assert.Equal(100, plan.Items);
        // 100 cars × 5 s over 5 spaces: 20 rounds of 5 s, at the default time scale of 0.1.
        Assert.Equal(10, plan.EstimatedSeconds, 6);
        Assert.Equal(5 * 1.2 * 0.1, plan.LongestStepSeconds, 6);
        Assert.Equal(0.1, values.GetDouble(CommonParameters.TimeScale));
        Assert.Equal([RunModes.Threads, RunModes.Processes, RunModes.Async], S.Descriptor.Modes);
        var gauge = Assert.Single(S.Descriptor.Gauges);
        Assert.Equal(("inUse", S.Resource, S.Permits), (gauge.Id, gauge.Resource, gauge.LimitParameter));
    }

    [Fact]
    public void A_staggered_plan_covers_the_arrivals_and_lets_the_longest_arrival_sleep_pass_the_watchdog()
    {
        var plan = new SemaphoreScenario().Plan(Values((S.Arrival, S.Staggered)));

        // The last car arrives 99 gaps of 1 s after the first and parks 5 s.
        Assert.Equal(10.4, plan.EstimatedSeconds, 6);
        Assert.Equal(99 * 1.2 * 0.1, plan.LongestStepSeconds, 6);
    }

    [Fact]
    public void The_tally_counts_cars_let_in_before_someone_who_asked_earlier()
    {
        var tally = new ParkingTally(4);
        var t0 = Stopwatch.GetTimestamp();
        long At(int ms) => t0 + (ms * Stopwatch.Frequency / 1000);

        // Car 0 takes the only space; cars 1 and 2 wait; car 3 asks last but is let in first.
        tally.Observe(new RawEvent(At(0), 0, EventKind.Start, null, 0, -1));
        tally.Observe(new RawEvent(At(1), 0, EventKind.Acquire, S.Resource, 0, 1));
        tally.Observe(new RawEvent(At(2), 1, EventKind.Wait, S.Resource, 0, 1));
        tally.Observe(new RawEvent(At(3), 2, EventKind.Wait, S.Resource, 0, 1));
        tally.Observe(new RawEvent(At(10), 0, EventKind.Release, S.Resource, 1, 0));
        tally.Observe(new RawEvent(At(11), 3, EventKind.Acquire, S.Resource, 0, 1));
        tally.Observe(new RawEvent(At(20), 3, EventKind.Release, S.Resource, 1, 0));
        tally.Observe(new RawEvent(At(21), 1, EventKind.Acquire, S.Resource, 0, 1));
        tally.Observe(new RawEvent(At(30), 1, EventKind.Release, S.Resource, 1, 0));
        tally.Observe(new RawEvent(At(31), 2, EventKind.Acquire, S.Resource, 0, 1));
        tally.Observe(new RawEvent(At(40), 2, EventKind.Release, S.Resource, 1, 0));

        var f = tally.Snapshot(t0);

        Assert.Equal(4, f.Admitted);
        Assert.Equal(1, f.Overtaken);
        Assert.Equal(2, f.LargestOvertake);
        Assert.Equal(2, f.Waits);
        Assert.Equal((19 + 28) / 4.0, f.MeanWaitMs, 3);
        Assert.Equal(28, f.LongestWaitMs, 3);
        Assert.Equal(1, f.PeakInUse);
        Assert.Equal(0.001, f.PeakAt, 6);
        Assert.Equal(-1, f.ExtraCar);
    }
}
