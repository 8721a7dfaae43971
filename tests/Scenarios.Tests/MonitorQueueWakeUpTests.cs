using Playground.Scenarios.Primitives;
using Playground.Scenarios.Recording;
using Playground.Shared.Events;

namespace Playground.Scenarios.Tests;

/// <summary>
/// Who the queue wakes: one waiter per item or per freed slot, the longest waiting first, never a
/// waiter that cannot proceed; newcomers do not take what is set aside for a woken waiter; a
/// cancelled waiter passes what was set aside for it on.
/// </summary>
public sealed class MonitorQueueWakeUpTests
{
    /// <summary>Waits until the actor has recorded a wait on <paramref name="resource"/> and its thread sleeps.</summary>
    private static async Task BlockedIn(Thread thread, ActorLog log, string resource, int waits = 1)
    {
        await TestSupport.Eventually(
            () => TestSupport.Events(log).Count(e => e.Kind == EventKind.Wait && e.Resource == resource) >= waits,
            $"a wait on {resource} is recorded");
        await TestSupport.Eventually(() => (thread.ThreadState & ThreadState.WaitSleepJoin) != 0, "the thread is blocked");
    }

    [Fact(Timeout = 30_000)]
    public async Task A_put_wakes_one_waiting_consumer_and_leaves_the_others_asleep()
    {
        var queue = new MonitorQueue(QueueKind.Fifo, 4);
        using var recorder = new EventRecorder(4, 100_000);
        var consumers = new List<(Thread Thread, Task<long> Outcome)>();
        for (var c = 0; c < 3; c++)
        {
            var log = recorder[c];
            var started = TestSupport.StartThread(() => queue.Get(log, CancellationToken.None));
            await BlockedIn(started.Thread, log, MonitorQueue.EmptyResource);
            consumers.Add(started);
        }

        queue.Put(recorder[3], 7, 0, CancellationToken.None);

        // The longest waiter is the one woken, and it gets the item.
        Assert.Equal(7, await consumers[0].Outcome.WaitAsync(TestSupport.Deadline));
        await Task.Delay(50);
        Assert.False(consumers[1].Outcome.IsCompleted || consumers[2].Outcome.IsCompleted, "a consumer returned without an item");
        Assert.All(consumers.Skip(1), c => Assert.True((c.Thread.ThreadState & ThreadState.WaitSleepJoin) != 0));
        Assert.Equal(0, queue.IdleWakeUps);

        queue.Put(recorder[3], 8, 0, CancellationToken.None);
        queue.Put(recorder[3], 9, 0, CancellationToken.None);
        Assert.Equal([8L, 9L], (await Task.WhenAll(consumers[1].Outcome, consumers[2].Outcome).WaitAsync(TestSupport.Deadline)).Order());
        Assert.Equal(0, queue.IdleWakeUps);
        // Each consumer blocked once, recorded one wait, then its get.
        for (var c = 0; c < 3; c++)
        {
            Assert.Equal([EventKind.Wait, EventKind.Get], TestSupport.Events(recorder[c]).Select(e => e.Kind));
        }
    }

    [Fact(Timeout = 30_000)]
    public async Task An_item_set_aside_for_a_woken_consumer_is_not_taken_by_a_newcomer()
    {
        var queue = new MonitorQueue(QueueKind.Fifo, 2);
        using var recorder = new EventRecorder(2, 100_000);
        var (thread, outcome) = TestSupport.StartThread(() => queue.Get(recorder[0], CancellationToken.None));
        await BlockedIn(thread, recorder[0], MonitorQueue.EmptyResource);

        queue.Put(recorder[1], 5, 0, CancellationToken.None);
        // Whether or not the woken consumer has run yet, the item is its own.
        var stolen = queue.TryGet(recorder[1], out _);

        Assert.False(stolen, "a newcomer took the item set aside for the waiting consumer");
        Assert.Equal(5, await outcome.WaitAsync(TestSupport.Deadline));
        Assert.Equal(0, queue.Depth);
    }

    [Fact(Timeout = 30_000)]
    public async Task A_slot_freed_for_a_waiting_producer_is_not_taken_by_a_newcomer()
    {
        var queue = new MonitorQueue(QueueKind.Fifo, 1);
        using var recorder = new EventRecorder(3, 100_000);
        var first = recorder[0];
        var newcomer = recorder[1];
        var consumer = recorder[2];
        queue.Put(first, 1, 0, CancellationToken.None);
        var waiting = TestSupport.StartThread(() =>
        {
            queue.Put(first, 2, 0, CancellationToken.None);
            return true;
        });
        await BlockedIn(waiting.Thread, first, MonitorQueue.FullResource);

        Assert.Equal(1, queue.Get(consumer, CancellationToken.None));
        // The freed slot belongs to the producer that waited for it: a newcomer waits for the next one.
        var late = TestSupport.StartThread(() =>
        {
            queue.Put(newcomer, 3, 0, CancellationToken.None);
            return true;
        });
        await waiting.Outcome.WaitAsync(TestSupport.Deadline);
        await BlockedIn(late.Thread, newcomer, MonitorQueue.FullResource);

        Assert.Equal(2, queue.Get(consumer, CancellationToken.None));
        await late.Outcome.WaitAsync(TestSupport.Deadline);
        Assert.Equal(3, queue.Get(consumer, CancellationToken.None));
        Assert.Equal(1, queue.MaxDepth);
        Assert.Equal(0, queue.IdleWakeUps);
    }

    [Fact(Timeout = 30_000)]
    public async Task A_cancelled_consumer_passes_the_item_set_aside_for_it_to_the_next_in_line()
    {
        var queue = new MonitorQueue(QueueKind.Fifo, 2);
        using var recorder = new EventRecorder(3, 100_000);
        using var cancelFirst = new CancellationTokenSource();
        var first = TestSupport.StartThread(() => queue.Get(recorder[0], cancelFirst.Token));
        await BlockedIn(first.Thread, recorder[0], MonitorQueue.EmptyResource);
        var second = TestSupport.StartThread(() => queue.Get(recorder[1], CancellationToken.None));
        await BlockedIn(second.Thread, recorder[1], MonitorQueue.EmptyResource);

        // Cancelled first, then the item comes: whether the put set it aside for the first consumer
        // (woken before it noticed its token) or found it gone, the second one gets it.
        await cancelFirst.CancelAsync();
        queue.Put(recorder[2], 11, 0, CancellationToken.None);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => first.Outcome.WaitAsync(TestSupport.Deadline));
        Assert.Equal(11, await second.Outcome.WaitAsync(TestSupport.Deadline));
        Assert.Equal(0, queue.Depth);
        Assert.Equal(0, queue.IdleWakeUps);
        Assert.DoesNotContain(TestSupport.Events(recorder[0]), e => e.Kind == EventKind.Get);
    }

    [Fact(Timeout = 30_000)]
    public async Task A_cancelled_producer_passes_the_slot_set_aside_for_it_to_the_next_in_line()
    {
        var queue = new MonitorQueue(QueueKind.Fifo, 1);
        using var recorder = new EventRecorder(3, 100_000);
        using var cancelFirst = new CancellationTokenSource();
        queue.Put(recorder[2], 1, 0, CancellationToken.None);
        var first = TestSupport.StartThread(() =>
        {
            queue.Put(recorder[0], 2, 0, cancelFirst.Token);
            return true;
        });
        await BlockedIn(first.Thread, recorder[0], MonitorQueue.FullResource);
        var second = TestSupport.StartThread(() =>
        {
            queue.Put(recorder[1], 3, 0, CancellationToken.None);
            return true;
        });
        await BlockedIn(second.Thread, recorder[1], MonitorQueue.FullResource);

        await cancelFirst.CancelAsync();
        Assert.Equal(1, queue.Get(recorder[2], CancellationToken.None));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => first.Outcome.WaitAsync(TestSupport.Deadline));
        await second.Outcome.WaitAsync(TestSupport.Deadline);
        Assert.Equal(3, queue.Get(recorder[2], CancellationToken.None));
        Assert.Equal(0, queue.Depth);
        Assert.Equal(0, queue.IdleWakeUps);
    }

    public static TheoryData<QueueKind, int> KindsAndCapacities()
    {
        var data = new TheoryData<QueueKind, int>();
        foreach (var kind in Enum.GetValues<QueueKind>())
        {
            data.Add(kind, 1);
            data.Add(kind, 3);
        }

        return data;
    }

    [Theory(Timeout = 120_000)]
    [MemberData(nameof(KindsAndCapacities))]
    public async Task Under_contention_no_waiter_wakes_for_nothing_and_each_blocked_call_records_one_wait(QueueKind kind, int capacity)
    {
        const int producers = 4;
        const int consumers = 4;
        const int itemsPerProducer = 5_000;
        const int total = producers * itemsPerProducer;
        var queue = new MonitorQueue(kind, capacity);
        using var recorder = new EventRecorder(producers + consumers, 4L * total + (producers + consumers) * 4096L);
        var counts = new int[total];
        var claimed = 0;
        var threads = new List<Task>();
        for (var p = 0; p < producers; p++)
        {
            var log = recorder[p];
            var first = (long)p * itemsPerProducer;
            threads.Add(TestSupport.OnThread(() =>
            {
                for (var i = 0; i < itemsPerProducer; i++)
                {
                    queue.Put(log, first + i, i % 7, CancellationToken.None);
                }
            }, TimeSpan.FromSeconds(100)));
        }

        for (var c = 0; c < consumers; c++)
        {
            var log = recorder[producers + c];
            threads.Add(TestSupport.OnThread(() =>
            {
                while (Interlocked.Increment(ref claimed) <= total)
                {
                    Interlocked.Increment(ref counts[queue.Get(log, CancellationToken.None)]);
                }
            }, TimeSpan.FromSeconds(100)));
        }

        await Task.WhenAll(threads);

        Assert.All(counts, n => Assert.Equal(1, n));
        Assert.Equal(0, queue.Depth);
        Assert.Equal(0, queue.IdleWakeUps);
        Assert.Equal(0, recorder.Dropped);
        // A put or get that waited recorded exactly one wait just before it, on the right resource.
        var gets = 0;
        for (var a = 0; a < recorder.ActorCount; a++)
        {
            var events = TestSupport.Events(recorder[a]);
            var (done, blockedOn) = a < producers ? (EventKind.Put, MonitorQueue.FullResource) : (EventKind.Get, MonitorQueue.EmptyResource);
            for (var i = 0; i < events.Count; i++)
            {
                if (events[i].Kind == EventKind.Wait)
                {
                    Assert.Equal(blockedOn, events[i].Resource);
                    Assert.True(i + 1 < events.Count && events[i + 1].Kind == done, $"actor {a}: a wait not followed by its {done}");
                }
            }

            if (a < producers)
            {
                Assert.Equal(itemsPerProducer, events.Count(e => e.Kind == EventKind.Put));
            }
            else
            {
                gets += events.Count(e => e.Kind == EventKind.Get);
            }
        }

        Assert.Equal(total, gets);
    }

    [Fact(Timeout = 60_000)]
    public async Task Cancelling_a_busy_run_stops_every_blocked_producer_and_consumer_and_loses_or_doubles_nothing()
    {
        const int producers = 3;
        const int consumers = 3;
        var queue = new MonitorQueue(QueueKind.Fifo, 1);
        using var recorder = new EventRecorder(producers + consumers, 10_000_000);
        using var cts = new CancellationTokenSource();
        var got = new System.Collections.Concurrent.ConcurrentBag<long>();
        var put = new System.Collections.Concurrent.ConcurrentBag<long>();
        var threads = new List<Task>();
        for (var p = 0; p < producers; p++)
        {
            var log = recorder[p];
            var first = p * 1_000_000L;
            threads.Add(TestSupport.OnThread(() =>
            {
                for (var i = first; ; i++)
                {
                    try
                    {
                        queue.Put(log, i, 0, cts.Token);
                    }
                    catch (OperationCanceledException)
                    {
                        return;
                    }

                    put.Add(i);
                }
            }));
        }

        for (var c = 0; c < consumers; c++)
        {
            var log = recorder[producers + c];
            threads.Add(TestSupport.OnThread(() =>
            {
                while (true)
                {
                    try
                    {
                        got.Add(queue.Get(log, cts.Token));
                    }
                    catch (OperationCanceledException)
                    {
                        return;
                    }
                }
            }));
        }

        await TestSupport.Eventually(() => got.Count > 20_000, "items flow");
        await cts.CancelAsync();
        await Task.WhenAll(threads).WaitAsync(TestSupport.Deadline);

        // What was got was put, once; what was put and not got is still queued.
        var gotCounts = got.GroupBy(i => i).ToDictionary(g => g.Key, g => g.Count());
        Assert.All(gotCounts, kv => Assert.Equal(1, kv.Value));
        Assert.Subset(put.ToHashSet(), gotCounts.Keys.ToHashSet());
        Assert.Equal(put.Count - got.Count, queue.Depth);
        Assert.Equal(0, queue.IdleWakeUps);

        // What is left is an item put and never got; then the queue serves new callers as before.
        while (queue.Depth > 0)
        {
            var left = queue.Get(recorder[producers], CancellationToken.None);
            Assert.Contains(left, put);
            Assert.DoesNotContain(left, gotCounts.Keys);
        }

        queue.Put(recorder[0], -5, 0, CancellationToken.None);
        Assert.Equal(-5, queue.Get(recorder[producers], CancellationToken.None));
    }
}
