using System.Globalization;
using Playground.Scenarios.Engine;
using Playground.Scenarios.Processes;
using Playground.Scenarios.Recording;
using Playground.Scenarios.TicketBooking;
using Playground.Shared.Catalog;
using Playground.Shared.Events;
using Playground.Shared.Parameters;
using static Playground.Processes.Tests.ProcessTestSupport;
using S = Playground.Shared.Catalog.TicketBookingSchema;

namespace Playground.Processes.Tests;

/// <summary>The ticket race with one child process per buyer, on a real file in the run's own folder.</summary>
[Collection(ChildProcessCollection.Name)]
public sealed class TicketBookingProcessTests
{
    public static TheoryData<string, string> CrossProcessLocksAndStores()
    {
        var data = new TheoryData<string, string>();
        foreach (var store in new[] { S.JsonFile, S.Sqlite })
        {
            foreach (var lk in new[] { S.FileLock, S.SemaphoreLock })
            {
                data.Add(lk, store);
            }
        }

        return data;
    }

    public static TheoryData<string> Stores() => new() { S.JsonFile, S.Sqlite };

    private sealed record ProcessTicketRun(ScenarioOutcome Outcome, IReadOnlyList<RawEvent> Events, IReadOnlyDictionary<int, int> Pids, string RunId, string Key)
    {
        public Dictionary<string, double> Metrics => Outcome.Metrics.ToDictionary(m => m.Name, m => m.Value);

        public string Evidence => string.Join("; ", Outcome.Verdict.Evidence.Select(m => m.Format()));
    }

    private static async Task<ProcessTicketRun> Run(params (string Name, string Value)[] knobs)
    {
        var runId = NewRunId();
        var environment = new RunEnvironment(runId, Worker);
        var execution = new TicketBookingScenario().Create(ProcessValues(S.Descriptor, knobs), environment);
        using var recorder = new EventRecorder(execution.Actors.Count, 100_000);
        var observer = new PidObserver();
        // The children die with the thread that started them (PR_SET_PDEATHSIG): a dedicated thread runs it.
        var outcome = await Task.Factory.StartNew(() => execution.Execute(recorder, observer, CancellationToken.None), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default)
            .WaitAsync(TimeSpan.FromSeconds(60));
        return new ProcessTicketRun(outcome, recorder.Snapshot(), observer.Pids, runId, environment.SharedKey);
    }

    private static void AssertNothingLeft(ProcessTicketRun run)
    {
        Assert.False(Directory.Exists(TicketWorld.FolderOf(run.Key)), "the run's folder was left behind");
        Assert.Empty(SharedEntriesOf(run.RunId));
        Assert.All(run.Pids.Values, pid => Assert.Null(Stat(pid)));
    }

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);

    [Theory(Timeout = 180_000)]
    [MemberData(nameof(CrossProcessLocksAndStores))]
    public async Task A_cross_process_lock_sells_exactly_the_tickets_to_buyer_processes(string lockKind, string store)
    {
        const int Runs = 2, Buyers = 12, Tickets = 4;
        var waited = 0;
        for (var seed = 1; seed <= Runs; seed++)
        {
            var run = await Run((S.Buyers, Text(Buyers)), (S.Tickets, Text(Tickets)), (S.Think, "0.005"), (S.Lock, lockKind), (S.Store, store),
                (CommonParameters.Seed, Text(seed)));
            var m = run.Metrics;

            Assert.True(run.Outcome.Verdict.Held, run.Evidence);
            Assert.Null(run.Outcome.Failure);
            Assert.Equal(Tickets, m["successes"]);
            Assert.Equal(0, m["finalValue"]);
            Assert.Equal(0, m[S.Oversold]);
            // Every buyer was a process of its own, and none is left.
            Assert.Equal(Buyers, run.Pids.Values.Distinct().Count());
            Assert.DoesNotContain(Environment.ProcessId, run.Pids.Values);
            waited += run.Events.Count(e => e.Kind == EventKind.Wait && e.Resource == S.LockResource);
            AssertNothingLeft(run);
        }

        Assert.True(waited > 0, "no buyer process ever waited for the lock: the test did not contend");
    }

    [Theory(Timeout = 180_000)]
    [MemberData(nameof(Stores))]
    public async Task Without_a_lock_buyer_processes_oversell_within_a_few_runs(string store)
    {
        const int Tries = 4;
        ProcessTicketRun? oversold = null;
        var tried = 0;
        while (oversold is null && tried < Tries)
        {
            tried++;
            // A generous think time: ten children start within a few hundred ms of each other on two cores.
            var run = await Run((S.Think, "0.5"), (S.Lock, S.NoLock), (S.Store, store), (CommonParameters.Seed, Text(tried)));
            AssertNothingLeft(run);
            if (!run.Outcome.Verdict.Held)
            {
                oversold = run;
            }
        }

        Assert.True(oversold is not null, $"no oversell in {tried} runs of 10 buyer processes racing for 1 ticket without a lock");
        Assert.True(oversold!.Metrics["successes"] > 1, oversold.Evidence);
        Assert.Equal("ticket.evidence.oversold", oversold.Outcome.Verdict.Evidence[0].Key);
    }

    [Fact(Timeout = 180_000)]
    public async Task An_in_process_lock_protects_nothing_across_buyer_processes()
    {
        const int Tries = 4;
        ProcessTicketRun? oversold = null;
        var tried = 0;
        while (oversold is null && tried < Tries)
        {
            tried++;
            var run = await Run((S.Think, "0.5"), (S.Lock, S.ThreadLock), (CommonParameters.Seed, Text(tried)));
            AssertNothingLeft(run);
            // Each process took its own copy of the lock and nobody ever waited for it.
            Assert.Equal(10, run.Events.Count(e => e.Kind == EventKind.Acquire && e.Resource == S.LockResource));
            Assert.DoesNotContain(run.Events, e => e.Kind == EventKind.Wait);
            Assert.Contains(run.Outcome.Notes, n => n.Key == "ticket.note.threadLock");
            if (!run.Outcome.Verdict.Held)
            {
                oversold = run;
            }
        }

        Assert.True(oversold is not null, $"no oversell in {tried} runs with an in-process lock across 10 buyer processes");
        Assert.Equal("ticket.explain.threadLock", oversold!.Outcome.Verdict.Explanation?.Key);
    }

    [Fact(Timeout = 120_000)]
    public async Task A_store_deleted_under_buyer_processes_fails_the_run_with_the_reason_and_leaves_nothing()
    {
        var runId = NewRunId();
        var environment = new RunEnvironment(runId, Worker);
        var execution = new TicketBookingScenario().Create(
            ProcessValues(S.Descriptor, (S.Buyers, "3"), (S.Think, "0.4"), (S.Lock, S.FileLock)), environment);
        using var recorder = new EventRecorder(execution.Actors.Count, 10_000);
        var observer = new PidObserver();
        var running = Task.Factory.StartNew(() => execution.Execute(recorder, observer, CancellationToken.None), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        await Eventually(() => recorder.Snapshot().Any(e => e.Kind == EventKind.Sleep), "a buyer process began to think");
        var folder = TicketWorld.FolderOf(environment.SharedKey);
        File.Delete(Path.Combine(folder, JsonTicketStore.FileName));

        var outcome = await running.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal("ticket.failure.missingFor", outcome.Failure?.Key);
        Assert.Contains(recorder.Snapshot(), e => e.Kind == EventKind.Error && e.Resource == "store:missing");
        Assert.False(Directory.Exists(folder));
        Assert.Empty(SharedEntriesOf(runId));
        Assert.All(observer.Pids.Values, pid => Assert.Null(Stat(pid)));
    }
}
