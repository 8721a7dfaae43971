using Playground.Scenarios.Primitives;
using Playground.Scenarios.Recording;
using Playground.Shared.Events;

namespace Playground.Scenarios.Tests;

public sealed class MonitorLockTests
{
    [Fact(Timeout = 60_000)]
    public async Task Threads_incrementing_a_plain_counter_under_the_lock_lose_no_increment()
    {
        const int Threads = 8;
        const int Rounds = 2_000;
        var gate = new MonitorLock("counter");
        using var recorder = new EventRecorder(Threads, 1_000_000);
        long counter = 0;
        var inside = 0;
        var overlaps = 0;

        var workers = Enumerable.Range(0, Threads).Select(t => TestSupport.OnThread(() =>
        {
            var log = recorder[t];
            for (var i = 0; i < Rounds; i++)
            {
                gate.Acquire(log, CancellationToken.None);
                if (Interlocked.Increment(ref inside) != 1)
                {
                    Interlocked.Increment(ref overlaps);
                }

                // A read-modify-write with room for another thread in between: only the lock keeps it right.
                var seen = Volatile.Read(ref counter);
                Thread.SpinWait(20);
                Volatile.Write(ref counter, seen + 1);
                Interlocked.Decrement(ref inside);
                gate.Release(log);
            }
        }, TimeSpan.FromSeconds(50))).ToList();
        await Task.WhenAll(workers);

        Assert.Equal(0, overlaps);
        Assert.Equal(Threads * Rounds, counter);
        Assert.False(gate.IsHeld);
        var events = recorder.Snapshot();
        Assert.Equal(Threads * Rounds, events.Count(e => e.Kind == EventKind.Acquire));
        Assert.Equal(Threads * Rounds, events.Count(e => e.Kind == EventKind.Release));
        LockAssertions.EveryWaitIsFollowedByItsAcquire(recorder);
        LockAssertions.EveryWaitFallsWhileAnotherActorHeldTheLock(recorder);
    }

    [Fact]
    public void A_lock_nobody_else_wants_is_taken_without_a_wait()
    {
        var gate = new MonitorLock();
        using var recorder = new EventRecorder(1, 10_000);

        for (var i = 0; i < 100; i++)
        {
            gate.Acquire(recorder[0], CancellationToken.None);
            gate.Release(recorder[0]);
        }

        var events = TestSupport.Events(recorder[0]);
        Assert.DoesNotContain(events, e => e.Kind == EventKind.Wait);
        Assert.Equal(200, events.Count);
        Assert.Throws<InvalidOperationException>(() => gate.Release(recorder[0]));
    }

    [Fact(Timeout = 30_000)]
    public async Task A_second_thread_waits_until_the_holder_releases_and_a_cancelled_waiter_leaves()
    {
        var gate = new MonitorLock("basket");
        using var recorder = new EventRecorder(3, 10_000);
        gate.Acquire(recorder[0], CancellationToken.None);

        var (thread, acquired) = TestSupport.StartThread(() =>
        {
            gate.Acquire(recorder[1], CancellationToken.None);
            return true;
        });
        using var cts = new CancellationTokenSource();
        var (_, cancelled) = TestSupport.StartThread(() =>
        {
            gate.Acquire(recorder[2], cts.Token);
            return true;
        });
        await TestSupport.Eventually(() => TestSupport.Events(recorder[1]).Any(e => e.Kind == EventKind.Wait), "the second thread waits");
        await TestSupport.Eventually(() => (thread.ThreadState & ThreadState.WaitSleepJoin) != 0, "the second thread is blocked");
        await TestSupport.Eventually(() => TestSupport.Events(recorder[2]).Any(e => e.Kind == EventKind.Wait), "the third thread waits");
        Assert.False(acquired.IsCompleted, "the lock was taken while held");

        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled.WaitAsync(TestSupport.Deadline));
        Assert.False(acquired.IsCompleted, "cancelling one waiter let another one in");

        gate.Release(recorder[0]);
        await acquired.WaitAsync(TestSupport.Deadline);

        Assert.Equal([EventKind.Wait, EventKind.Acquire], TestSupport.Events(recorder[1]).Select(e => e.Kind));
        Assert.All(TestSupport.Events(recorder[1]), e => Assert.Equal("basket", e.Resource));
        Assert.DoesNotContain(TestSupport.Events(recorder[2]), e => e.Kind == EventKind.Acquire);
        Assert.True(gate.IsHeld);
    }
}

public sealed class AsyncLockTests
{
    [Fact(Timeout = 60_000)]
    public async Task Tasks_incrementing_a_plain_counter_under_the_lock_lose_no_increment()
    {
        const int Tasks = 50;
        const int Rounds = 200;
        using var gate = new AsyncLock("counter");
        using var recorder = new EventRecorder(Tasks, 1_000_000);
        long counter = 0;
        var inside = 0;
        var overlaps = 0;

        var workers = Enumerable.Range(0, Tasks).Select(t => Task.Run(async () =>
        {
            var log = recorder[t];
            for (var i = 0; i < Rounds; i++)
            {
                await gate.AcquireAsync(log, CancellationToken.None);
                if (Interlocked.Increment(ref inside) != 1)
                {
                    Interlocked.Increment(ref overlaps);
                }

                // The task gives up its thread inside the lock: others run and must find it taken.
                var seen = Volatile.Read(ref counter);
                await Task.Yield();
                Volatile.Write(ref counter, seen + 1);
                Interlocked.Decrement(ref inside);
                gate.Release(log);
            }
        })).ToList();
        await Task.WhenAll(workers).WaitAsync(TimeSpan.FromSeconds(50));

        Assert.Equal(0, overlaps);
        Assert.Equal(Tasks * Rounds, counter);
        Assert.False(gate.IsHeld);
        var events = recorder.Snapshot();
        Assert.Equal(Tasks * Rounds, events.Count(e => e.Kind == EventKind.Acquire));
        Assert.Equal(Tasks * Rounds, events.Count(e => e.Kind == EventKind.Release));
        LockAssertions.EveryWaitIsFollowedByItsAcquire(recorder);
    }

    [Fact(Timeout = 30_000)]
    public async Task A_lock_nobody_else_wants_is_taken_without_a_wait()
    {
        using var gate = new AsyncLock();
        using var recorder = new EventRecorder(1, 10_000);

        for (var i = 0; i < 100; i++)
        {
            await gate.AcquireAsync(recorder[0], CancellationToken.None);
            gate.Release(recorder[0]);
        }

        var events = TestSupport.Events(recorder[0]);
        Assert.DoesNotContain(events, e => e.Kind == EventKind.Wait);
        Assert.Equal(200, events.Count);
        Assert.Throws<InvalidOperationException>(() => gate.Release(recorder[0]));
    }

    [Fact(Timeout = 30_000)]
    public async Task A_second_task_waits_holding_no_thread_until_the_holder_releases_and_a_cancelled_waiter_leaves()
    {
        using var gate = new AsyncLock("basket");
        using var recorder = new EventRecorder(3, 10_000);
        await gate.AcquireAsync(recorder[0], CancellationToken.None);

        var second = gate.AcquireAsync(recorder[1], CancellationToken.None).AsTask();
        using var cts = new CancellationTokenSource();
        var third = gate.AcquireAsync(recorder[2], cts.Token).AsTask();

        // Both found the lock taken and are suspended, not blocking the test's thread.
        Assert.Equal([EventKind.Wait], TestSupport.Events(recorder[1]).Select(e => e.Kind));
        Assert.Equal([EventKind.Wait], TestSupport.Events(recorder[2]).Select(e => e.Kind));
        Assert.False(second.IsCompleted);

        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => third.WaitAsync(TestSupport.Deadline));
        Assert.False(second.IsCompleted, "cancelling one waiter let another one in");

        gate.Release(recorder[0]);
        await second.WaitAsync(TestSupport.Deadline);

        Assert.Equal([EventKind.Wait, EventKind.Acquire], TestSupport.Events(recorder[1]).Select(e => e.Kind));
        Assert.DoesNotContain(TestSupport.Events(recorder[2]), e => e.Kind == EventKind.Acquire);
        Assert.True(gate.IsHeld);
        gate.Release(recorder[1]);
    }
}

internal static class LockAssertions
{
    /// <summary>Each actor's lane reads (wait? acquire release)*: a wait always ends in that actor's acquire.</summary>
    public static void EveryWaitIsFollowedByItsAcquire(EventRecorder recorder)
    {
        for (var a = 0; a < recorder.ActorCount; a++)
        {
            var events = TestSupport.Events(recorder[a]);
            for (var i = 0; i < events.Count; i++)
            {
                if (events[i].Kind == EventKind.Wait)
                {
                    Assert.True(i + 1 < events.Count && events[i + 1].Kind == EventKind.Acquire, $"actor {a}: a wait at {i} not followed by an acquire");
                }
            }
        }
    }

    /// <summary>
    /// A wait is recorded only when the lock is really held: its time lies between another
    /// actor's acquire and that actor's next release.
    /// </summary>
    public static void EveryWaitFallsWhileAnotherActorHeldTheLock(EventRecorder recorder)
    {
        var held = new List<(long From, long To, int Actor)>();
        for (var a = 0; a < recorder.ActorCount; a++)
        {
            long? from = null;
            foreach (var e in TestSupport.Events(recorder[a]))
            {
                if (e.Kind == EventKind.Acquire)
                {
                    from = e.Timestamp;
                }
                else if (e.Kind == EventKind.Release && from is { } f)
                {
                    held.Add((f, e.Timestamp, a));
                    from = null;
                }
            }
        }

        held.Sort((x, y) => x.From.CompareTo(y.From));
        var starts = held.Select(h => h.From).ToArray();
        foreach (var wait in recorder.Snapshot().Where(e => e.Kind == EventKind.Wait))
        {
            // The hold that began last before the wait is the only one that can cover it: holds never overlap.
            var i = Array.BinarySearch(starts, wait.Timestamp);
            i = i >= 0 ? i : ~i - 1;
            Assert.True(i >= 0 && held[i].To >= wait.Timestamp && held[i].Actor != wait.Actor,
                $"actor {wait.Actor} recorded a wait while nobody held the lock");
        }
    }
}
