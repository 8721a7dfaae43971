using System.Globalization;
using Playground.Scenarios.Engine;
using Playground.Scenarios.Primitives;
using Playground.Scenarios.Processes;
using Playground.Scenarios.Recording;
using Playground.Scenarios.Semaphore;
using Playground.Shared.Catalog;
using Playground.Shared.Events;
using Playground.Shared.Parameters;
using static Playground.Processes.Tests.ProcessTestSupport;
using S = Playground.Shared.Catalog.SemaphoreSchema;

namespace Playground.Processes.Tests;

/// <summary>The parking lot with one child process per car, sharing a semaphore in /dev/shm.</summary>
[Collection(ChildProcessCollection.Name)]
public sealed class SemaphoreProcessTests
{
    private static ParameterValues SemaphoreValues(params (string Name, string Value)[] knobs) => ProcessValues(S.Descriptor, knobs);

    /// <summary>Polls on the calling thread until <paramref name="condition"/> holds; fails after a minute.</summary>
    private static void WaitUntil(Func<bool> condition, string what)
    {
        var limit = System.Diagnostics.Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(limit.Elapsed < TimeSpan.FromSeconds(60), $"timed out waiting until {what}");
            Thread.Sleep(5);
        }
    }

    private static List<EventKind> Kinds(EventRecorder recorder, int actor) => [.. Lane(recorder, actor).Select(e => e.Kind)];

    [Fact(Timeout = 90_000)]
    public async Task Twenty_car_processes_all_sleep_in_the_kernel_on_the_full_lot_and_never_exceed_its_three_spaces()
    {
        const int Cars = 20, Permits = 3;
        var runId = NewRunId();
        var key = new RunEnvironment(runId, Worker).SharedKey;
        var values = SemaphoreValues((S.Workers, Text(Cars)), (S.Permits, Text(Permits)), (CommonParameters.TimeScale, "0.01"));
        var query = ShareLink.EncodeQuery(S.Descriptor, values);
        var names = new SharedSemaphoreNames(key);
        var pids = new List<int>();
        try
        {
            // The test creates the run's semaphore itself, with three more slots for its own holders,
            // and keeps the lot full until every car has come and gone to sleep waiting.
            using var lot = SharedSemaphore.Create(names, S.Resource, Permits, SemaphoreKind.Counting, Cars + Permits);
            using var board = SharedParkingBoard.Create(key);
            var holders = Enumerable.Range(Cars, Permits).Select(a => new ListRecorder(a)).ToList();
            foreach (var holder in holders)
            {
                lot.Acquire(holder, CancellationToken.None);
                board.CarParked();
            }

            using var recorder = new EventRecorder(Cars, 100_000);
            var observer = new PidObserver();
            // The children die with the thread that started them (PR_SET_PDEATHSIG), so one
            // dedicated thread starts, watches and reaps them, as a run's own thread does.
            await Task.Factory.StartNew(() =>
            {
                using var group = new ChildProcessGroup(Worker, recorder, observer);
                recorder.MarkStart();
                for (var car = 0; car < Cars; car++)
                {
                    group.Spawn(car, $"car-{car + 1}",
                        ["--scenario", S.Id, "--run", key, "--actor", car.ToString(CultureInfo.InvariantCulture), "--params", query]);
                }

                WaitUntil(() => lot.Waiting == Cars || group.FirstCrash is not null, "all twenty cars wait at once");
                Assert.True(group.FirstCrash is null, group.FirstCrash?.Describe().Format() + " " + group.CrashOutput);
                pids.AddRange(observer.Pids.Values);
                Assert.Equal(Cars, pids.Distinct().Count());
                Assert.DoesNotContain(Environment.ProcessId, pids);
                // Each child is asleep (state S) in the kernel, not spinning.
                WaitUntil(() => pids.All(p => Stat(p)?.State == 'S'), "every car process sleeps");
                WaitUntil(() => Enumerable.Range(0, Cars).All(a => recorder[a].Count == 2), "every car's wait has come through its pipe");
                Assert.All(Enumerable.Range(0, Cars), a => Assert.Equal([EventKind.Start, EventKind.Wait], Kinds(recorder, a)));

                foreach (var holder in holders)
                {
                    board.CarLeaving();
                    lot.Release(holder);
                }

                using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
                Assert.True(group.WaitAll(deadline.Token), "a car process crashed or hung");
                Assert.Null(group.FirstCrash);
            }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default).WaitAsync(TimeSpan.FromSeconds(80));

            var events = Enumerable.Range(0, Cars).SelectMany(a => Lane(recorder, a)).ToList();
            var levels = events.Concat(holders.SelectMany(h => h.Events.Select(e => new RawEvent(0, h.Actor, e.Kind, e.Resource, e.Value, e.Level))))
                .Where(e => e.Resource == S.Resource && e.Kind is EventKind.Acquire or EventKind.Release).Select(e => e.Level).ToList();
            Assert.All(levels, l => Assert.InRange(l, 0, Permits));
            Assert.Equal(Permits, levels.Max());
            // The cars counted themselves in and out beside the semaphore: never more than three.
            Assert.Equal(Permits, board.PeakParked);
            Assert.All(Enumerable.Range(0, Cars), a => Assert.Equal(
                [EventKind.Start, EventKind.Wait, EventKind.Acquire, EventKind.Sleep, EventKind.Work, EventKind.Release, EventKind.End],
                Kinds(recorder, a)));
            Assert.Equal(Permits, lot.Value);
            Assert.Equal(0, lot.InUse);
            Assert.Equal(0, lot.Waiting);
        }
        finally
        {
            names.Unlink();
            SharedParkingBoard.Unlink(key);
        }

        Assert.All(pids, AssertGone);
        Assert.Empty(SharedEntriesOf(runId));
    }

    [Theory(Timeout = 90_000)]
    [InlineData(S.Counting, S.Off)]
    [InlineData(S.Bounded, S.On)]
    public async Task The_scenario_in_processes_mode_reports_what_happened_and_leaves_nothing_behind(string kind, string extraRelease)
    {
        const int Cars = 20;
        var runId = NewRunId();
        var values = SemaphoreValues((S.Workers, Text(Cars)), (S.Permits, "3"), (S.Kind, kind), (S.ExtraRelease, extraRelease),
            (CommonParameters.TimeScale, "0.01"));
        var execution = new SemaphoreScenario().Create(values, new RunEnvironment(runId, Worker));
        using var recorder = new EventRecorder(Cars, 100_000);
        var observer = new PidObserver();

        var outcome = await Task.Run(() => execution.Execute(recorder, observer, CancellationToken.None)).WaitAsync(TimeSpan.FromSeconds(80));

        var metrics = MetricsOf(outcome);
        Assert.Null(outcome.Failure);
        Assert.Equal(Cars, observer.Pids.Values.Distinct().Count());
        Assert.Contains(outcome.Metrics, m => m.Name.StartsWith("startup:", StringComparison.Ordinal));
        var levels = recorder.Snapshot().Where(e => e.Resource == S.Resource && e.Level >= 0).Select(e => e.Level).ToList();
        Assert.Equal(levels.Max(), metrics["peakInUse"]);
        Assert.True(metrics["peakParked"] <= metrics["peakInUse"], "the cars counted more parked than the semaphore had holders");
        Assert.Equal(3, metrics["finalCount"]);
        Assert.Contains(outcome.Notes, n => n.Key == "sem.note.order.processes");
        if (extraRelease == S.Off)
        {
            Assert.True(outcome.Verdict.Held, string.Join("; ", outcome.Verdict.Evidence.Select(e => e.Key)));
            Assert.All(levels, l => Assert.InRange(l, 0, 3));
            Assert.Equal(0, metrics["refusedReleases"]);
        }
        else
        {
            Assert.False(outcome.Verdict.Held);
            Assert.Equal(1, metrics["refusedReleases"]);
            Assert.Single(recorder.Snapshot(), e => e.Kind == EventKind.Error);
            Assert.NotNull(outcome.Verdict.Explanation);
        }

        for (var a = 0; a < Cars; a++)
        {
            var lane = Lane(recorder, a);
            Assert.Equal(EventKind.End, lane[^1].Kind);
            Assert.DoesNotContain(lane, e => e.Kind == EventKind.Crash);
        }

        Assert.All(observer.Pids.Values, AssertGone);
        Assert.Empty(SharedEntriesOf(runId));
    }

    [Fact(Timeout = 90_000)]
    public async Task A_cancelled_processes_run_ends_reports_what_happened_and_leaves_nothing_behind()
    {
        const int Cars = 10;
        var runId = NewRunId();
        // Each car parks for a second: the run is still busy when it is cancelled.
        var values = SemaphoreValues((S.Workers, Text(Cars)), (S.Permits, "2"), (CommonParameters.TimeScale, "0.2"));
        var execution = new SemaphoreScenario().Create(values, new RunEnvironment(runId, Worker));
        using var recorder = new EventRecorder(Cars, 100_000);
        var observer = new PidObserver();
        using var cancel = new CancellationTokenSource();

        var running = Task.Run(() => execution.Execute(recorder, observer, cancel.Token));
        await Eventually(() => recorder.Snapshot().Any(e => e.Kind == EventKind.Acquire), "a car has parked");
        await cancel.CancelAsync();
        var outcome = await running.WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Contains(outcome.Verdict.Evidence, m => m.Key == "sem.evidence.cutShort");
        Assert.All(observer.Pids.Values, AssertGone);
        Assert.Empty(SharedEntriesOf(runId));
    }
}
