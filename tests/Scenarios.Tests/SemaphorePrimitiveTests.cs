using Playground.Scenarios.Primitives;
using Playground.Scenarios.Recording;
using Playground.Shared.Events;

namespace Playground.Scenarios.Tests;

/// <summary>
/// The threads flavour (<see cref="MonitorSemaphore"/>) and the async flavour
/// (<see cref="AsyncSemaphore"/>) under contention, blocking, cancellation and over-release.
/// </summary>
public sealed class SemaphorePrimitiveTests
{
    private const string Lot = "lot";

    /// <summary>One in-process flavour behind one face, so each behaviour is checked on both.</summary>
    public abstract class Flavour
    {
        public static Flavour Of(string name, int permits, SemaphoreKind kind = SemaphoreKind.Counting) => name switch
        {
            "threads" => new ThreadsFlavour(new MonitorSemaphore(Lot, permits, kind)),
            _ => new AsyncFlavour(new AsyncSemaphore(Lot, permits, kind)),
        };

        /// <summary>Starts an acquire, on a thread of its own or as a task; completes when it returns.</summary>
        public abstract Task StartAcquire(IActorRecorder actor, CancellationToken cancellationToken = default);

        public abstract void Release(IActorRecorder actor);

        public abstract int Value { get; }

        public abstract int InUse { get; }

        public abstract int Waiting { get; }
    }

    private sealed class ThreadsFlavour(MonitorSemaphore semaphore) : Flavour
    {
        public override Task StartAcquire(IActorRecorder actor, CancellationToken cancellationToken = default) =>
            TestSupport.StartThread(() =>
            {
                semaphore.Acquire(actor, cancellationToken);
                return true;
            }).Outcome;

        public override void Release(IActorRecorder actor) => semaphore.Release(actor);

        public override int Value => semaphore.Value;

        public override int InUse => semaphore.InUse;

        public override int Waiting => semaphore.Waiting;
    }

    private sealed class AsyncFlavour(AsyncSemaphore semaphore) : Flavour
    {
        public override Task StartAcquire(IActorRecorder actor, CancellationToken cancellationToken = default) =>
            semaphore.AcquireAsync(actor, cancellationToken).AsTask();

        public override void Release(IActorRecorder actor) => semaphore.Release(actor);

        public override int Value => semaphore.Value;

        public override int InUse => semaphore.InUse;

        public override int Waiting => semaphore.Waiting;
    }

    public static TheoryData<string> Flavours() => new() { "threads", "async" };

    private static List<RawEvent> LotEvents(EventRecorder recorder) =>
        [.. Enumerable.Range(0, recorder.ActorCount).SelectMany(a => TestSupport.Events(recorder[a])).Where(e => e.Resource == Lot)];

    private static void RaiseTo(ref int peak, int value)
    {
        var seen = Volatile.Read(ref peak);
        while (value > seen)
        {
            var was = Interlocked.CompareExchange(ref peak, value, seen);
            if (was == seen)
            {
                return;
            }

            seen = was;
        }
    }

    [Fact(Timeout = 60_000)]
    public async Task Two_hundred_threads_over_three_permits_never_have_more_than_three_inside()
    {
        const int Threads = 200, Permits = 3, Rounds = 5;
        var semaphore = new MonitorSemaphore(Lot, Permits, SemaphoreKind.Counting);
        using var recorder = new EventRecorder(Threads + Permits, 1_000_000);
        var holders = Enumerable.Range(Threads, Permits).Select(a => recorder[a]).ToList();
        // The lot starts full, so every thread's first acquire really blocks.
        holders.ForEach(h => semaphore.Acquire(h, CancellationToken.None));
        int inside = 0, mostInside = 0;
        var threadIds = new int[Threads];

        var cars = Enumerable.Range(0, Threads).Select(t => TestSupport.StartThread(() =>
        {
            threadIds[t] = Environment.CurrentManagedThreadId;
            for (var r = 0; r < Rounds; r++)
            {
                semaphore.Acquire(recorder[t], CancellationToken.None);
                RaiseTo(ref mostInside, Interlocked.Increment(ref inside));
                Thread.Yield();
                Interlocked.Decrement(ref inside);
                semaphore.Release(recorder[t]);
            }

            return true;
        })).ToList();
        await TestSupport.Eventually(() => semaphore.Waiting == Threads, "all 200 threads are blocked at once");
        // A thread is counted before Monitor.Wait lets go of the lock, and shows as asleep only a moment later.
        await TestSupport.Eventually(() => cars.All(c => (c.Thread.ThreadState & ThreadState.WaitSleepJoin) != 0), "every waiting thread is asleep");
        holders.ForEach(h => semaphore.Release(h));
        await Task.WhenAll(cars.Select(c => c.Outcome)).WaitAsync(TestSupport.Deadline);

        Assert.InRange(mostInside, 1, Permits);
        Assert.Equal(Threads, threadIds.Distinct().Count());
        var events = LotEvents(recorder);
        Assert.All(events.Where(e => e.Kind is EventKind.Acquire or EventKind.Release), e => Assert.InRange(e.Level, 0, Permits));
        Assert.Equal(Permits, events.Max(e => e.Level));
        Assert.Equal((Threads * Rounds) + Permits, events.Count(e => e.Kind == EventKind.Acquire));
        Assert.Equal((Threads * Rounds) + Permits, events.Count(e => e.Kind == EventKind.Release));
        // Each thread's first call found the lot full: its lane begins with a wait.
        Assert.All(Enumerable.Range(0, Threads), t => Assert.Equal(EventKind.Wait, TestSupport.Events(recorder[t])[0].Kind));
        Assert.Equal(Permits, semaphore.Value);
        Assert.Equal(0, semaphore.InUse);
        Assert.Equal(0, semaphore.Waiting);
    }

    [Fact(Timeout = 60_000)]
    public async Task Two_hundred_tasks_over_three_permits_never_have_more_than_three_inside()
    {
        const int Tasks = 200, Permits = 3, Rounds = 5;
        var semaphore = new AsyncSemaphore(Lot, Permits, SemaphoreKind.Counting);
        using var recorder = new EventRecorder(Tasks + Permits, 1_000_000);
        var holders = Enumerable.Range(Tasks, Permits).Select(a => recorder[a]).ToList();
        foreach (var holder in holders)
        {
            await semaphore.AcquireAsync(holder, CancellationToken.None);
        }

        int inside = 0, mostInside = 0;
        var cars = Enumerable.Range(0, Tasks).Select(t => Task.Run(async () =>
        {
            for (var r = 0; r < Rounds; r++)
            {
                await semaphore.AcquireAsync(recorder[t], CancellationToken.None);
                RaiseTo(ref mostInside, Interlocked.Increment(ref inside));
                await Task.Yield();
                Interlocked.Decrement(ref inside);
                semaphore.Release(recorder[t]);
            }
        })).ToList();
        await TestSupport.Eventually(() => semaphore.Waiting == Tasks, "all 200 tasks are waiting at once");
        Assert.All(cars, c => Assert.False(c.IsCompleted));
        holders.ForEach(h => semaphore.Release(h));
        await Task.WhenAll(cars).WaitAsync(TestSupport.Deadline);

        Assert.InRange(mostInside, 1, Permits);
        var events = LotEvents(recorder);
        Assert.All(events.Where(e => e.Kind is EventKind.Acquire or EventKind.Release), e => Assert.InRange(e.Level, 0, Permits));
        Assert.Equal(Permits, events.Max(e => e.Level));
        Assert.Equal((Tasks * Rounds) + Permits, events.Count(e => e.Kind == EventKind.Acquire));
        Assert.Equal((Tasks * Rounds) + Permits, events.Count(e => e.Kind == EventKind.Release));
        Assert.All(Enumerable.Range(0, Tasks), t => Assert.Equal(EventKind.Wait, TestSupport.Events(recorder[t])[0].Kind));
        Assert.Equal(Permits, semaphore.Value);
        Assert.Equal(0, semaphore.InUse);
        Assert.Equal(0, semaphore.Waiting);
    }

    [Fact(Timeout = 30_000)]
    public async Task Waiting_tasks_are_let_in_in_the_order_they_asked()
    {
        var semaphore = new AsyncSemaphore(Lot, 1, SemaphoreKind.Counting);
        using var recorder = new EventRecorder(11, 100_000);
        await semaphore.AcquireAsync(recorder[10], CancellationToken.None);
        var admitted = new List<int>();
        var waiters = new List<Task>();
        for (var i = 0; i < 10; i++)
        {
            var car = i;
            waiters.Add(semaphore.AcquireAsync(recorder[car], CancellationToken.None).AsTask().ContinueWith(_ =>
            {
                lock (admitted)
                {
                    admitted.Add(car);
                }

                semaphore.Release(recorder[car]);
            }, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default));
        }

        semaphore.Release(recorder[10]);
        await Task.WhenAll(waiters).WaitAsync(TestSupport.Deadline);

        Assert.Equal(Enumerable.Range(0, 10), admitted);
    }

    [Theory(Timeout = 30_000)]
    [MemberData(nameof(Flavours))]
    public async Task A_waiter_records_wait_only_when_it_really_blocks(string flavour)
    {
        var semaphore = Flavour.Of(flavour, 1);
        using var recorder = new EventRecorder(2, 100_000);
        var (first, second) = (recorder[0], recorder[1]);

        await semaphore.StartAcquire(first).WaitAsync(TestSupport.Deadline);
        var blocked = semaphore.StartAcquire(second);
        await TestSupport.Eventually(() => semaphore.Waiting == 1, "the second caller waits");
        await Task.Delay(50);
        Assert.False(blocked.IsCompleted, "an acquire returned while no permit was free");
        semaphore.Release(first);
        await blocked.WaitAsync(TestSupport.Deadline);

        Assert.Equal([EventKind.Acquire, EventKind.Release], TestSupport.Events(first).Select(e => e.Kind));
        Assert.Equal([EventKind.Wait, EventKind.Acquire], TestSupport.Events(second).Select(e => e.Kind));
        Assert.Equal([1L, 0L], TestSupport.Events(first).Select(e => e.Level));
        Assert.Equal([1L, 1L], TestSupport.Events(second).Select(e => e.Level));
        Assert.Equal(0, semaphore.Value);
        Assert.Equal(1, semaphore.InUse);
    }

    [Theory(Timeout = 30_000)]
    [MemberData(nameof(Flavours))]
    public async Task Cancelling_a_blocked_waiter_leaves_the_count_right(string flavour)
    {
        var semaphore = Flavour.Of(flavour, 1);
        using var recorder = new EventRecorder(3, 100_000);
        using var cancel = new CancellationTokenSource();
        await semaphore.StartAcquire(recorder[0]).WaitAsync(TestSupport.Deadline);
        var blocked = semaphore.StartAcquire(recorder[1], cancel.Token);
        await TestSupport.Eventually(() => semaphore.Waiting == 1, "the second caller waits");

        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => blocked.WaitAsync(TestSupport.Deadline));

        Assert.Equal(0, semaphore.Waiting);
        Assert.Equal(0, semaphore.Value);
        Assert.Equal(1, semaphore.InUse);
        semaphore.Release(recorder[0]);
        Assert.Equal(1, semaphore.Value);
        await semaphore.StartAcquire(recorder[2]).WaitAsync(TestSupport.Deadline);
        Assert.DoesNotContain(TestSupport.Events(recorder[2]), e => e.Kind == EventKind.Wait);
        semaphore.Release(recorder[2]);
        Assert.Equal(1, semaphore.Value);
        Assert.Equal(0, semaphore.InUse);
    }

    [Theory(Timeout = 60_000)]
    [MemberData(nameof(Flavours))]
    public async Task Cancellation_racing_a_release_never_loses_or_doubles_a_permit(string flavour)
    {
        const int Rounds = 200;
        var semaphore = Flavour.Of(flavour, 1);
        using var recorder = new EventRecorder(2, 1_000_000);
        int acquired = 0, cancelled = 0;
        for (var i = 0; i < Rounds; i++)
        {
            using var cancel = new CancellationTokenSource();
            await semaphore.StartAcquire(recorder[0]).WaitAsync(TestSupport.Deadline);
            var waiter = semaphore.StartAcquire(recorder[1], cancel.Token);
            await TestSupport.Eventually(() => semaphore.Waiting == 1, "the waiter waits");
            // The cancellation and the release that would let the waiter in happen at once.
            var cancelling = Task.Run(cancel.Cancel);
            semaphore.Release(recorder[0]);
            await cancelling.WaitAsync(TestSupport.Deadline);
            try
            {
                await waiter.WaitAsync(TestSupport.Deadline);
                acquired++;
                semaphore.Release(recorder[1]);
            }
            catch (OperationCanceledException)
            {
                cancelled++;
            }

            Assert.Equal(1, semaphore.Value);
            Assert.Equal(0, semaphore.InUse);
            Assert.Equal(0, semaphore.Waiting);
        }

        Assert.Equal(Rounds, acquired + cancelled);
    }

    [Theory(Timeout = 30_000)]
    [MemberData(nameof(Flavours))]
    public async Task A_bounded_semaphore_refuses_an_over_release_with_an_error_event_and_an_exception(string flavour)
    {
        var semaphore = Flavour.Of(flavour, 2, SemaphoreKind.Bounded);
        using var recorder = new EventRecorder(2, 100_000);
        await semaphore.StartAcquire(recorder[0]).WaitAsync(TestSupport.Deadline);
        semaphore.Release(recorder[0]);

        var error = Assert.Throws<SemaphoreOverReleasedException>(() => semaphore.Release(recorder[1]));

        Assert.Equal(Lot, error.Resource);
        Assert.Equal(2, error.Permits);
        var recorded = Assert.Single(TestSupport.Events(recorder[1]));
        Assert.Equal(EventKind.Error, recorded.Kind);
        Assert.Equal(Lot, recorded.Resource);
        Assert.Equal(2, recorded.Value);
        Assert.Equal(0, recorded.Level);
        Assert.Equal(2, semaphore.Value);
        Assert.Equal(0, semaphore.InUse);
    }

    [Theory(Timeout = 30_000)]
    [MemberData(nameof(Flavours))]
    public async Task A_bounded_semaphore_lets_an_over_release_through_while_others_wait_and_raises_on_the_release_that_passes_its_start(string flavour)
    {
        var semaphore = Flavour.Of(flavour, 2, SemaphoreKind.Bounded);
        using var recorder = new EventRecorder(4, 100_000);
        var (a, b, c, d) = (recorder[0], recorder[1], recorder[2], recorder[3]);
        await semaphore.StartAcquire(a).WaitAsync(TestSupport.Deadline);
        await semaphore.StartAcquire(b).WaitAsync(TestSupport.Deadline);
        var waiting = semaphore.StartAcquire(c);
        await TestSupport.Eventually(() => semaphore.Waiting == 1, "c waits");

        semaphore.Release(a);
        await waiting.WaitAsync(TestSupport.Deadline);
        // a holds nothing now; the count is 0, and 0 + 1 does not pass 2: BoundedSemaphore lets it through.
        semaphore.Release(a);
        await semaphore.StartAcquire(d).WaitAsync(TestSupport.Deadline);

        Assert.Equal(3, semaphore.InUse);
        Assert.DoesNotContain(TestSupport.Events(d), e => e.Kind == EventKind.Wait);
        Assert.Equal(3, TestSupport.Events(d).Single(e => e.Kind == EventKind.Acquire).Level);
        semaphore.Release(b);
        semaphore.Release(c);
        Assert.Throws<SemaphoreOverReleasedException>(() => semaphore.Release(d));

        Assert.Equal([EventKind.Acquire, EventKind.Error], TestSupport.Events(d).Select(e => e.Kind));
        Assert.DoesNotContain(TestSupport.Events(a), e => e.Kind == EventKind.Error);
        Assert.Equal(2, semaphore.Value);
        Assert.Equal(0, semaphore.InUse);
    }

    [Theory(Timeout = 30_000)]
    [MemberData(nameof(Flavours))]
    public async Task A_counting_semaphore_grows_by_one_on_an_over_release_and_lets_one_more_in(string flavour)
    {
        var semaphore = Flavour.Of(flavour, 2);
        using var recorder = new EventRecorder(4, 100_000);
        var (a, b, c, d) = (recorder[0], recorder[1], recorder[2], recorder[3]);
        await semaphore.StartAcquire(a).WaitAsync(TestSupport.Deadline);
        await semaphore.StartAcquire(b).WaitAsync(TestSupport.Deadline);
        var waiting = semaphore.StartAcquire(c);
        await TestSupport.Eventually(() => semaphore.Waiting == 1, "c waits");

        semaphore.Release(a);
        await waiting.WaitAsync(TestSupport.Deadline);
        semaphore.Release(a);
        await semaphore.StartAcquire(d).WaitAsync(TestSupport.Deadline);

        Assert.Equal(3, semaphore.InUse);
        // The non-holder's release left "in use" where it was.
        Assert.Equal(2, TestSupport.Events(a).Where(e => e.Kind == EventKind.Release).Last().Level);
        semaphore.Release(b);
        semaphore.Release(c);
        semaphore.Release(d);
        Assert.Equal(3, semaphore.Value);
        Assert.Equal(0, semaphore.InUse);
        Assert.DoesNotContain(LotEvents(recorder), e => e.Kind == EventKind.Error);
    }
}
