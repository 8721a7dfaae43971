using System.Diagnostics;
using System.Globalization;
using Playground.Scenarios.Engine;
using Playground.Scenarios.Recording;
using Playground.Scenarios.TicketBooking;
using Playground.Shared.Catalog;
using Playground.Shared.Events;
using Playground.Shared.Parameters;
using S = Playground.Shared.Catalog.TicketBookingSchema;

namespace Playground.Scenarios.Tests;

/// <summary>The ticket race in threads mode, on a real JSON file and a real SQLite database.</summary>
public sealed class TicketBookingScenarioTests
{
    public static TheoryData<string, string> ProtectingLocksAndStores()
    {
        var data = new TheoryData<string, string>();
        foreach (var store in new[] { S.JsonFile, S.Sqlite })
        {
            foreach (var lk in new[] { S.ThreadLock, S.FileLock, S.SemaphoreLock })
            {
                data.Add(lk, store);
            }
        }

        return data;
    }

    public static TheoryData<string> Stores() => new() { S.JsonFile, S.Sqlite };

    private static ParameterValues Values(params (string Name, string Value)[] knobs) => TestSupport.ValuesOf(S.Descriptor, knobs);

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);

    private sealed record TicketRun(ScenarioOutcome Outcome, IReadOnlyList<RawEvent> Events, string Folder)
    {
        public Dictionary<string, double> Metrics => Outcome.Metrics.ToDictionary(m => m.Name, m => m.Value);

        public string Evidence => string.Join("; ", Outcome.Verdict.Evidence.Select(m => m.Format()));
    }

    private static async Task<TicketRun> Run(ParameterValues values)
    {
        var script = Assert.IsType<TicketBookingScript>(new TicketBookingScenario().Create(values));
        using var recorder = new EventRecorder(script.Actors.Count, 100_000);
        var outcome = await TestSupport.OnThread(() => script.Execute(recorder, new RecordingObserver(), CancellationToken.None));
        return new TicketRun(outcome, recorder.Snapshot(), script.LocalFolder!);
    }

    [Theory(Timeout = 120_000)]
    [MemberData(nameof(ProtectingLocksAndStores))]
    public async Task A_lock_that_protects_threads_sells_exactly_the_tickets_over_many_runs_with_far_more_buyers(string lockKind, string store)
    {
        const int Runs = 4, Buyers = 24, Tickets = 5;
        var waited = 0;
        for (var seed = 1; seed <= Runs; seed++)
        {
            var run = await Run(Values((S.Buyers, Text(Buyers)), (S.Tickets, Text(Tickets)), (S.Think, "0.002"), (S.Lock, lockKind), (S.Store, store),
                (CommonParameters.Seed, Text(seed))));
            var m = run.Metrics;

            Assert.True(run.Outcome.Verdict.Held, run.Evidence);
            Assert.Equal(Tickets, m["successes"]);
            Assert.Equal(Buyers - Tickets, m["refused"]);
            Assert.Equal(0, m["finalValue"]);
            Assert.Equal(m["successes"], m["sold"]);
            Assert.Equal(0, m[S.Oversold]);
            Assert.Equal(Tickets, run.Outcome.CountPerActor.Sum());
            Assert.Equal(Tickets, run.Events.Count(e => e.Kind == EventKind.Mark && e.Resource == S.TicketResource));
            // The lock really made buyers wait, and one holder at a time: acquires and releases alternate.
            waited += run.Events.Count(e => e.Kind == EventKind.Wait && e.Resource == S.LockResource);
            var held = 0;
            foreach (var e in run.Events.Where(e => e.Resource == S.LockResource).OrderBy(e => e.Timestamp))
            {
                held += e.Kind == EventKind.Acquire ? 1 : e.Kind == EventKind.Release ? -1 : 0;
                Assert.InRange(held, 0, 1);
            }

            // The gauge follows the store's count down, one ticket per write that sold one.
            var writes = run.Events.Where(e => e.Kind == EventKind.Put && e.Resource == S.StoreResource).OrderBy(e => e.Timestamp).Select(e => e.Level).ToList();
            Assert.Equal(Buyers, writes.Count);
            Assert.Equal([.. Enumerable.Range(0, Tickets).Select(i => (long)(Tickets - 1 - i)), .. Enumerable.Repeat(0L, Buyers - Tickets)], writes);
            Assert.False(Directory.Exists(run.Folder), $"{run.Folder} was left behind");
        }

        Assert.True(waited > 0, "no buyer ever waited for the lock: the test did not contend");
        Assert.DoesNotContain(Directory.EnumerateFiles("/dev/shm", "sem.pg-*-tickets"), p => p.Contains("-local-", StringComparison.Ordinal));
    }

    [Theory(Timeout = 120_000)]
    [MemberData(nameof(Stores))]
    public async Task Without_a_lock_buyers_are_told_success_for_the_same_last_ticket_within_a_few_runs(string store)
    {
        // Ten buyers think 20 ms between read and write; all start together. A run that does not
        // oversell is possible (a slow machine may start one thread late), so up to five are tried.
        const int Tries = 5;
        TicketRun? oversold = null;
        var tried = 0;
        while (oversold is null && tried < Tries)
        {
            tried++;
            var run = await Run(Values((S.Think, "0.02"), (S.Lock, S.NoLock), (S.Store, store), (CommonParameters.Seed, Text(tried))));
            Assert.False(Directory.Exists(run.Folder));
            if (!run.Outcome.Verdict.Held)
            {
                oversold = run;
            }
        }

        Assert.True(oversold is not null, $"no oversell in {tried} runs of 10 buyers racing for 1 ticket without a lock");
        var m = oversold!.Metrics;
        Assert.True(m["successes"] > 1, oversold.Evidence);
        Assert.Equal(0, m["finalValue"]);
        Assert.Equal(1, m["sold"]);
        Assert.Equal(m["successes"] - 1, m[S.Oversold]);
        var verdict = oversold.Outcome.Verdict;
        Assert.Equal("ticket.evidence.oversold", verdict.Evidence[0].Key);
        Assert.Equal("ticket.explain.noLock", verdict.Explanation?.Key);
        // The evidence names the buyers told success, and shows a read that overlapped another's.
        var winners = oversold.Events.Where(e => e.Kind == EventKind.Mark).Select(e => $"buyer-{e.Actor + 1}").ToList();
        Assert.All(winners.Take(12), w => Assert.Contains(w, verdict.Evidence[0].Format()));
        Assert.Contains(verdict.Evidence, e => e.Key == "ticket.evidence.overlap");
        Assert.Equal(0, oversold.Events.Count(e => e.Kind == EventKind.Wait));
    }

    [Fact(Timeout = 60_000)]
    public async Task With_more_tickets_than_a_racing_write_can_hide_a_lost_update_leaves_the_store_too_high()
    {
        // 10 buyers, 10 tickets, no lock: every buyer is told success, yet the last writes carry
        // stale counts, so the store ends above 0.
        var run = await Run(Values((S.Tickets, "10"), (S.Think, "0.02"), (S.Lock, S.NoLock)));
        var m = run.Metrics;

        Assert.Equal(10, m["successes"]);
        Assert.False(run.Outcome.Verdict.Held, run.Evidence);
        Assert.True(m["finalValue"] > 0);
        Assert.Equal(m["successes"] - m["sold"], m[S.Oversold]);
        Assert.Equal("ticket.evidence.lostUpdate", run.Outcome.Verdict.Evidence[0].Key);
    }

    [Theory(Timeout = 60_000)]
    [MemberData(nameof(Stores))]
    public async Task A_store_deleted_mid_run_fails_the_run_with_the_reason_and_leaves_nothing(string store)
    {
        var values = Values((S.Buyers, "3"), (S.Think, "0.3"), (S.Lock, S.FileLock), (S.Store, store));
        var script = Assert.IsType<TicketBookingScript>(new TicketBookingScenario().Create(values));
        using var recorder = new EventRecorder(script.Actors.Count, 10_000);
        var (_, outcome) = TestSupport.StartThread(() => script.Execute(recorder, new RecordingObserver(), CancellationToken.None));
        var limit = Stopwatch.StartNew();
        // Once the first buyer holds the lock and thinks, the store is deleted under it.
        while (!recorder.Snapshot().Any(e => e.Kind == EventKind.Sleep))
        {
            Assert.True(limit.Elapsed < TestSupport.Deadline, "no buyer began to think");
            await Task.Delay(2);
        }

        var path = Path.Combine(script.LocalFolder!, store == S.Sqlite ? SqliteTicketStore.FileName : JsonTicketStore.FileName);
        File.Delete(path);

        var failure = await Assert.ThrowsAsync<AggregateException>(() => outcome);
        var reason = Assert.IsType<ActorFailedException>(failure.InnerExceptions[0]).Reason;
        Assert.Equal("ticket.failure.missing", reason.Key);
        Assert.Contains(path, reason.Format());
        var events = recorder.Snapshot();
        Assert.Contains(events, e => e.Kind == EventKind.Error && e.Resource == "store:missing");
        Assert.False(Directory.Exists(script.LocalFolder));
    }

    [Fact(Timeout = 60_000)]
    public async Task A_run_cancelled_between_a_success_and_its_write_holds_and_says_the_sale_was_pending()
    {
        // Long, even thinks: the cancel lands in the second one however slow the machine is.
        var values = Values((S.Buyers, "3"), (S.Think, "3"), (S.Jitter, "0"), (S.Lock, S.FileLock));
        var script = Assert.IsType<TicketBookingScript>(new TicketBookingScenario().Create(values));
        using var recorder = new EventRecorder(script.Actors.Count, 10_000);
        using var cancel = new CancellationTokenSource();
        var (_, outcome) = TestSupport.StartThread(() => script.Execute(recorder, new RecordingObserver(), cancel.Token));
        var limit = Stopwatch.StartNew();
        while (!recorder.Snapshot().Any(e => e.Kind == EventKind.Mark))
        {
            Assert.True(limit.Elapsed < TestSupport.Deadline, "no buyer was told success");
            await Task.Delay(2);
        }

        await cancel.CancelAsync();
        var result = await outcome.WaitAsync(TestSupport.Deadline);

        Assert.True(result.Verdict.Held, string.Join("; ", result.Verdict.Evidence.Select(m => m.Format())));
        Assert.Contains(result.Verdict.Evidence, e => e.Key == "ticket.evidence.cutShort");
        Assert.Equal(0, result.Metrics.Single(m => m.Name == S.Oversold).Value);
        Assert.Equal(1, result.Metrics.Single(m => m.Name == "finalValue").Value);
        Assert.False(Directory.Exists(script.LocalFolder));
    }

    [Fact(Timeout = 60_000)]
    public async Task A_store_overwritten_with_garbage_fails_the_run_as_corrupt()
    {
        var values = Values((S.Buyers, "3"), (S.Think, "0.3"), (S.Lock, S.ThreadLock));
        var script = Assert.IsType<TicketBookingScript>(new TicketBookingScenario().Create(values));
        using var recorder = new EventRecorder(script.Actors.Count, 10_000);
        var (_, outcome) = TestSupport.StartThread(() => script.Execute(recorder, new RecordingObserver(), CancellationToken.None));
        var limit = Stopwatch.StartNew();
        while (!recorder.Snapshot().Any(e => e.Kind == EventKind.Sleep))
        {
            Assert.True(limit.Elapsed < TestSupport.Deadline, "no buyer began to think");
            await Task.Delay(2);
        }

        // Longer than the store's own writes, so the holder's write cannot cover it all and the next read meets it.
        File.WriteAllText(Path.Combine(script.LocalFolder!, JsonTicketStore.FileName), "not json at all, " + new string('x', 100));

        var failure = await Assert.ThrowsAsync<AggregateException>(() => outcome);
        var reason = Assert.IsType<ActorFailedException>(failure.InnerExceptions[0]).Reason;
        Assert.Equal("ticket.failure.corrupt", reason.Key);
        Assert.Contains("xxxx", reason.Format());
        Assert.Contains(recorder.Snapshot(), e => e.Kind == EventKind.Error && e.Resource == "store:corrupt");
        Assert.False(Directory.Exists(script.LocalFolder));
    }

    [Fact(Timeout = 60_000)]
    public async Task The_json_store_is_the_tutorials_file_and_survives_a_read_during_every_write()
    {
        var folder = Directory.CreateTempSubdirectory("pg-test-tickets-").FullName;
        try
        {
            var path = Path.Combine(folder, JsonTicketStore.FileName);
            var store = JsonTicketStore.Create(path, 1000);
            Assert.Equal("{\"number\": 1000}", File.ReadAllText(path).Trim());
            using var stop = new CancellationTokenSource();
            var reads = 0L;
            var reader = Task.Run(() =>
            {
                while (!stop.IsCancellationRequested)
                {
                    Assert.InRange(store.Read(), 0, 1000);
                    Interlocked.Increment(ref reads);
                }
            });
            // The writes begin once the reader is reading, so they overlap.
            var limit = Stopwatch.StartNew();
            while (Interlocked.Read(ref reads) == 0)
            {
                Assert.True(limit.Elapsed < TestSupport.Deadline, "the reader never read");
                await Task.Delay(1);
            }

            for (var n = 999; n >= 0; n--)
            {
                store.Write(n);
            }

            stop.Cancel();
            await reader.WaitAsync(TestSupport.Deadline);
            Assert.Equal(0, store.Read());
            Assert.True(Interlocked.Read(ref reads) > 1);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void Defaults_are_the_tutorials_ten_buyers_one_ticket_and_a_fifth_of_a_second_to_think()
    {
        var s = TicketSettings.From(S.Descriptor.Defaults());
        Assert.Equal((10, 1, 0.2, S.NoLock, S.JsonFile), (s.Buyers, s.Tickets, s.Think, s.Lock, s.Store));
        Assert.Equal(new BatchSpec { Vary = S.Lock, Measure = S.Oversold }, S.Descriptor.Batch);
    }
}
