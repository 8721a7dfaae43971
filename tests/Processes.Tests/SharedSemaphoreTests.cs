using Playground.Scenarios.Primitives;
using Playground.Scenarios.Processes;
using Playground.Shared.Events;
using static Playground.Processes.Tests.ProcessTestSupport;

namespace Playground.Processes.Tests;

/// <summary>
/// The processes flavour of the semaphore, driven by threads of this process that each open the
/// semaphore by name on their own, as a child does: its count and its "in use" level under
/// contention, kernel blocking, cancellation and over-release.
/// </summary>
public sealed class SharedSemaphoreTests
{
    private const string Lot = "lot";

    /// <summary>A fresh semaphore and the names to clean up, whatever the test does.</summary>
    private sealed class Fixture : IDisposable
    {
        public Fixture(int permits, SemaphoreKind kind = SemaphoreKind.Counting, int actors = 8)
        {
            Names = new SharedSemaphoreNames(NewRunId());
            Semaphore = SharedSemaphore.Create(Names, Lot, permits, kind, actors);
        }

        public SharedSemaphoreNames Names { get; }

        public SharedSemaphore Semaphore { get; }

        public SharedSemaphore OpenAnother() => SharedSemaphore.Open(Names, Lot);

        public void Dispose()
        {
            Semaphore.Dispose();
            Names.Unlink();
        }
    }

    /// <summary>Acquires on a thread of its own, with its own handle; the task completes when the call returns.</summary>
    private static (Thread Thread, Task Done) StartAcquire(Fixture lot, ListRecorder actor, CancellationToken cancellationToken = default)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try
            {
                using var own = lot.OpenAnother();
                own.Acquire(actor, cancellationToken);
                done.SetResult();
            }
            catch (Exception ex)
            {
                done.SetException(ex);
            }
        })
        {
            IsBackground = true,
            Name = $"car {actor.Actor}",
        };
        thread.Start();
        return (thread, done.Task);
    }

    private static List<EventKind> Kinds(ListRecorder r) => [.. r.Events.Select(e => e.Kind)];

    [Fact(Timeout = 60_000)]
    public async Task Fifty_callers_with_their_own_handles_never_have_more_than_three_inside()
    {
        const int Callers = 50, Permits = 3, Rounds = 20;
        using var lot = new Fixture(Permits, actors: Callers + Permits);
        var holders = Enumerable.Range(Callers, Permits).Select(a => new ListRecorder(a)).ToList();
        holders.ForEach(h => lot.Semaphore.Acquire(h, CancellationToken.None));
        var recorders = Enumerable.Range(0, Callers).Select(a => new ListRecorder(a)).ToList();
        int inside = 0, mostInside = 0;

        var callers = recorders.Select(r => Task.Factory.StartNew(() =>
        {
            using var own = lot.OpenAnother();
            for (var i = 0; i < Rounds; i++)
            {
                own.Acquire(r, CancellationToken.None);
                var now = Interlocked.Increment(ref inside);
                int seen;
                while (now > (seen = Volatile.Read(ref mostInside)) && Interlocked.CompareExchange(ref mostInside, now, seen) != seen)
                {
                }

                Thread.Yield();
                Interlocked.Decrement(ref inside);
                own.Release(r);
            }
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default)).ToList();
        await Eventually(() => lot.Semaphore.Waiting == Callers, "every caller sleeps in the kernel at once");
        holders.ForEach(h => lot.Semaphore.Release(h));
        await Task.WhenAll(callers).WaitAsync(Deadline);

        Assert.InRange(mostInside, 1, Permits);
        var events = recorders.Concat(holders).SelectMany(r => r.Events).ToList();
        Assert.All(events.Where(e => e.Kind is EventKind.Acquire or EventKind.Release), e => Assert.InRange(e.Level, 0, Permits));
        Assert.Equal(Permits, events.Max(e => e.Level));
        Assert.Equal((Callers * Rounds) + Permits, events.Count(e => e.Kind == EventKind.Acquire));
        Assert.All(recorders, r => Assert.Equal(EventKind.Wait, r.Events.First().Kind));
        Assert.Equal(Permits, lot.Semaphore.Value);
        Assert.Equal(0, lot.Semaphore.InUse);
        Assert.Equal(0, lot.Semaphore.Waiting);
    }

    [Fact(Timeout = 30_000)]
    public async Task A_caller_records_wait_only_when_it_really_blocks_and_sleeps_in_the_kernel()
    {
        using var lot = new Fixture(1);
        var (first, second) = (new ListRecorder(0), new ListRecorder(1));

        lot.Semaphore.Acquire(first, CancellationToken.None);
        var (_, blocked) = StartAcquire(lot, second);
        await Eventually(() => lot.Semaphore.Waiting == 1, "the second caller waits");
        await Task.Delay(50);
        Assert.False(blocked.IsCompleted, "an acquire returned while no permit was free");
        lot.Semaphore.Release(first);
        await blocked.WaitAsync(Deadline);

        Assert.Equal([EventKind.Acquire, EventKind.Release], Kinds(first));
        Assert.Equal([EventKind.Wait, EventKind.Acquire], Kinds(second));
        Assert.Equal(0, lot.Semaphore.Value);
        Assert.Equal(1, lot.Semaphore.InUse);
    }

    [Fact(Timeout = 30_000)]
    public async Task Cancelling_a_blocked_caller_leaves_the_count_right()
    {
        using var lot = new Fixture(1);
        using var cancel = new CancellationTokenSource();
        var holder = new ListRecorder(0);
        lot.Semaphore.Acquire(holder, CancellationToken.None);
        var (_, blocked) = StartAcquire(lot, new ListRecorder(1), cancel.Token);
        await Eventually(() => lot.Semaphore.Waiting == 1, "the second caller waits");

        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => blocked.WaitAsync(Deadline));

        Assert.Equal(0, lot.Semaphore.Waiting);
        Assert.Equal(0, lot.Semaphore.Value);
        lot.Semaphore.Release(holder);
        Assert.Equal(1, lot.Semaphore.Value);
        var late = new ListRecorder(2);
        lot.Semaphore.Acquire(late, CancellationToken.None);
        Assert.Equal([EventKind.Acquire], Kinds(late));
        lot.Semaphore.Release(late);
        Assert.Equal(1, lot.Semaphore.Value);
        Assert.Equal(0, lot.Semaphore.InUse);
    }

    [Fact(Timeout = 60_000)]
    public async Task Cancellation_racing_a_hand_off_never_loses_or_doubles_a_permit()
    {
        const int Rounds = 25;
        using var lot = new Fixture(1);
        var holder = new ListRecorder(0);
        var waiter = new ListRecorder(1);
        int acquired = 0, cancelled = 0;
        for (var i = 0; i < Rounds; i++)
        {
            using var cancel = new CancellationTokenSource();
            lot.Semaphore.Acquire(holder, CancellationToken.None);
            var (_, waiting) = StartAcquire(lot, waiter, cancel.Token);
            await Eventually(() => lot.Semaphore.Waiting == 1, "the waiter waits");
            // Cancel, then hand the permit over at a different moment each round: before the waiter
            // notices its cancellation (it looks every 100 ms), or while it is giving up.
            await cancel.CancelAsync();
            await Task.Delay(i * 5 % 110);
            lot.Semaphore.Release(holder);
            try
            {
                await waiting.WaitAsync(Deadline);
                acquired++;
                lot.Semaphore.Release(waiter);
            }
            catch (OperationCanceledException)
            {
                cancelled++;
            }

            Assert.Equal(1, lot.Semaphore.Value);
            Assert.Equal(0, lot.Semaphore.InUse);
            Assert.Equal(0, lot.Semaphore.Waiting);
        }

        Assert.Equal(Rounds, acquired + cancelled);
    }

    [Fact(Timeout = 30_000)]
    public async Task A_cancelled_caller_that_finds_a_permit_handed_to_it_passes_it_on()
    {
        using var lot = new Fixture(1);
        using var mutex = PosixSemaphore.Open(lot.Names.Mutex);
        using var cancel = new CancellationTokenSource();
        var (holder, waiter) = (new ListRecorder(0), new ListRecorder(1));
        lot.Semaphore.Acquire(holder, CancellationToken.None);
        var (_, waiting) = StartAcquire(lot, waiter, cancel.Token);
        await Eventually(() => lot.Semaphore.Waiting == 1, "the waiter waits");

        // Hold the semaphore's mutex so that the release queues on it first, then the cancelled
        // waiter once it gives up: the release hands the permit to a waiter that is leaving.
        mutex.Wait(CancellationToken.None);
        var releaserTid = 0;
        var releasing = Task.Factory.StartNew(() =>
        {
            Volatile.Write(ref releaserTid, Playground.Scenarios.Engine.ActorThreads.CurrentThreadId());
            lot.Semaphore.Release(holder);
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        await Eventually(() => Volatile.Read(ref releaserTid) != 0 && ThreadState(Volatile.Read(ref releaserTid)) == 'S', "the release waits for the mutex");
        await cancel.CancelAsync();
        // The waiter looks at its token every 100 ms; give it time to reach the mutex too.
        await Task.Delay(300);
        mutex.Release();

        await releasing.WaitAsync(Deadline);
        try
        {
            await waiting.WaitAsync(Deadline);
            // On a very slow machine the waiter may still have been asleep when the permit came.
            lot.Semaphore.Release(waiter);
        }
        catch (OperationCanceledException)
        {
        }

        Assert.Equal(1, lot.Semaphore.Value);
        Assert.Equal(0, lot.Semaphore.Waiting);
        Assert.Equal(0, lot.Semaphore.InUse);
        var late = new ListRecorder(2);
        lot.Semaphore.Acquire(late, CancellationToken.None);
        Assert.Equal([EventKind.Acquire], Kinds(late));
    }

    private static char ThreadState(int tid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/self/task/{tid}/stat");
            return stat[stat.LastIndexOf(')') + 2];
        }
        catch (IOException)
        {
            return '?';
        }
    }

    [Fact]
    public void A_bounded_semaphore_refuses_an_over_release_with_an_error_event_and_an_exception()
    {
        using var lot = new Fixture(2, SemaphoreKind.Bounded);
        var stranger = new ListRecorder(3);

        var error = Assert.Throws<SemaphoreOverReleasedException>(() => lot.Semaphore.Release(stranger));

        Assert.Equal(2, error.Permits);
        var recorded = Assert.Single(stranger.Events);
        Assert.Equal((EventKind.Error, Lot, 2L, 0L), recorded);
        Assert.Equal(2, lot.Semaphore.Value);
    }

    [Fact(Timeout = 30_000)]
    public async Task A_bounded_semaphore_lets_an_over_release_through_while_others_wait_and_raises_on_the_release_that_passes_its_start()
    {
        using var lot = new Fixture(2, SemaphoreKind.Bounded);
        var (a, b, c, d) = (new ListRecorder(0), new ListRecorder(1), new ListRecorder(2), new ListRecorder(3));
        lot.Semaphore.Acquire(a, CancellationToken.None);
        lot.Semaphore.Acquire(b, CancellationToken.None);
        var (_, waiting) = StartAcquire(lot, c);
        await Eventually(() => lot.Semaphore.Waiting == 1, "c waits");

        lot.Semaphore.Release(a);
        await waiting.WaitAsync(Deadline);
        lot.Semaphore.Release(a);
        lot.Semaphore.Acquire(d, CancellationToken.None);

        Assert.Equal(3, lot.Semaphore.InUse);
        Assert.Equal([EventKind.Acquire], Kinds(d));
        lot.Semaphore.Release(b);
        lot.Semaphore.Release(c);
        Assert.Throws<SemaphoreOverReleasedException>(() => lot.Semaphore.Release(d));
        Assert.Equal([EventKind.Acquire, EventKind.Error], Kinds(d));
        Assert.Equal(2, lot.Semaphore.Value);
        Assert.Equal(0, lot.Semaphore.InUse);
    }

    [Fact]
    public void A_counting_semaphore_grows_on_an_over_release_and_a_non_holder_leaves_in_use_alone()
    {
        using var lot = new Fixture(2);
        var (holder, stranger) = (new ListRecorder(0), new ListRecorder(1));
        lot.Semaphore.Acquire(holder, CancellationToken.None);

        lot.Semaphore.Release(stranger);

        Assert.Equal((EventKind.Release, Lot, 2L, 1L), stranger.Events.Single());
        Assert.Equal(1, lot.Semaphore.InUse);
        lot.Semaphore.Release(holder);
        Assert.Equal(3, lot.Semaphore.Value);
    }

    [Fact]
    public void Unlinking_removes_every_name_and_a_second_create_of_the_same_names_is_refused_without_harm()
    {
        var lot = new Fixture(1);
        Assert.All(lot.Names.Paths, p => Assert.True(File.Exists(p), $"{p} was not created"));

        Assert.ThrowsAny<Exception>(() => SharedSemaphore.Create(lot.Names, Lot, 1, SemaphoreKind.Counting, 1));
        Assert.All(lot.Names.Paths, p => Assert.True(File.Exists(p), $"{p} belonged to the first semaphore and was removed"));

        lot.Dispose();
        Assert.All(lot.Names.Paths, p => Assert.False(File.Exists(p), $"{p} was left behind"));
    }

    [Fact]
    public void Every_operation_passes_the_choke_point_before_it_records()
    {
        using var lot = new Fixture(1, SemaphoreKind.Bounded);
        var actor = new EnterRecorder();

        lot.Semaphore.Acquire(actor, CancellationToken.None);
        lot.Semaphore.Release(actor);
        Assert.Throws<SemaphoreOverReleasedException>(() => lot.Semaphore.Release(actor));

        Assert.Equal(
            [
                (true, EventKind.Acquire, Lot), (false, EventKind.Acquire, Lot),
                (true, EventKind.Release, Lot), (false, EventKind.Release, Lot),
                (true, EventKind.Release, Lot), (false, EventKind.Error, Lot),
            ],
            actor.Seen);
    }
}
