using System.Collections.Concurrent;
using Playground.Scenarios.Primitives;
using Playground.Scenarios.Processes;
using Playground.Scenarios.Recording;
using Playground.Shared.Events;
using static Playground.Processes.Tests.ProcessTestSupport;

namespace Playground.Processes.Tests;

/// <summary>The shared ring driven by threads of this process, each through its own mapping of the file.</summary>
public sealed class SharedRingQueueTests
{
    [Theory(Timeout = 60_000)]
    [InlineData(QueueKind.Fifo, 1)]
    [InlineData(QueueKind.Fifo, 4)]
    [InlineData(QueueKind.Lifo, 3)]
    [InlineData(QueueKind.Priority, 5)]
    public async Task Under_contention_every_item_put_is_got_exactly_once_and_the_depth_stays_within_capacity(QueueKind kind, int capacity)
    {
        const int Producers = 4;
        const int Consumers = 3;
        const int PerProducer = 5_000;
        const long Total = Producers * PerProducer;
        var names = new SharedQueueNames(NewRunId());
        try
        {
            using var owner = SharedRingQueue.Create(names, kind, capacity, capacity, Producers);
            var got = new int[Total];
            long tickets = 0;
            long sum = 0;
            var recorders = new List<ListRecorder>();
            var threads = new List<Task>();
            for (var p = 0; p < Producers; p++)
            {
                var producer = p;
                var recorder = new ListRecorder();
                recorders.Add(recorder);
                threads.Add(Task.Factory.StartNew(() =>
                {
                    using var view = SharedRingQueue.Open(names);
                    var random = new Random(producer);
                    for (var i = 0; i < PerProducer; i++)
                    {
                        view.Put(recorder, ((long)producer * PerProducer) + i, random.Next(10), CancellationToken.None);
                    }
                }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default));
            }

            for (var c = 0; c < Consumers; c++)
            {
                var recorder = new ListRecorder();
                recorders.Add(recorder);
                threads.Add(Task.Factory.StartNew(() =>
                {
                    using var view = SharedRingQueue.Open(names);
                    // A ticket per get: together the consumers take exactly as many items as were made.
                    while (Interlocked.Increment(ref tickets) <= Total)
                    {
                        var item = view.Get(recorder, CancellationToken.None);
                        Interlocked.Increment(ref got[item]);
                        Interlocked.Add(ref sum, item);
                    }
                }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default));
            }

            await Task.WhenAll(threads).WaitAsync(TimeSpan.FromSeconds(50));

            Assert.All(got, n => Assert.Equal(1, n));
            Assert.Equal(Total * (Total - 1) / 2, sum);
            Assert.InRange(owner.MaxDepth, 1, capacity);
            Assert.Equal(0, owner.Depth);
            Assert.True(owner.IsEmpty(new ListRecorder()));
            var moves = recorders.SelectMany(r => r.Events).Where(e => e.Kind is EventKind.Put or EventKind.Get).ToList();
            Assert.Equal(2 * Total, moves.Count);
            Assert.All(moves, e => Assert.InRange(e.Level, 0, capacity));
        }
        finally
        {
            names.Unlink();
        }

        Assert.All(names.Paths, p => Assert.False(File.Exists(p)));
    }

    [Fact]
    public void A_priority_queue_hands_out_the_lowest_priority_first_and_equal_priorities_in_arrival_order()
    {
        var names = new SharedQueueNames(NewRunId());
        try
        {
            const int N = 200;
            using var queue = SharedRingQueue.Create(names, QueueKind.Priority, N, N, 1);
            var recorder = new ListRecorder();
            var random = new Random(7);
            var put = new List<(long Item, long Priority)>();
            for (var i = 0; i < N; i++)
            {
                var priority = random.Next(8);
                queue.Put(recorder, i, priority, CancellationToken.None);
                put.Add((i, priority));
            }

            var order = Enumerable.Range(0, N).Select(_ => queue.Get(recorder, CancellationToken.None)).ToList();

            Assert.Equal(put.OrderBy(p => p.Priority).ThenBy(p => p.Item).Select(p => p.Item), order);
            Assert.True(queue.IsEmpty(new ListRecorder()));
        }
        finally
        {
            names.Unlink();
        }
    }

    [Fact]
    public void A_priority_queue_keeps_its_order_when_puts_and_gets_interleave()
    {
        var names = new SharedQueueNames(NewRunId());
        try
        {
            using var queue = SharedRingQueue.Create(names, QueueKind.Priority, 16, 16, 1);
            var recorder = new ListRecorder();
            var random = new Random(11);
            var model = new PriorityQueue<long, (long, long)>();
            long seq = 0;
            for (var round = 0; round < 2_000; round++)
            {
                if (model.Count < 16 && (model.Count == 0 || random.Next(2) == 0))
                {
                    var priority = random.Next(5);
                    queue.Put(recorder, round, priority, CancellationToken.None);
                    model.Enqueue(round, (priority, seq++));
                }
                else
                {
                    Assert.Equal(model.Dequeue(), queue.Get(recorder, CancellationToken.None));
                }
            }
        }
        finally
        {
            names.Unlink();
        }
    }

    [Fact]
    public void A_lifo_queue_hands_out_the_last_item_first_and_a_fifo_ring_keeps_order_across_wrap_around()
    {
        var lifoNames = new SharedQueueNames(NewRunId());
        var fifoNames = new SharedQueueNames(NewRunId());
        try
        {
            var recorder = new ListRecorder();
            using (var lifo = SharedRingQueue.Create(lifoNames, QueueKind.Lifo, 10, 10, 1))
            {
                for (var i = 0; i < 10; i++)
                {
                    lifo.Put(recorder, i, 0, CancellationToken.None);
                }

                Assert.Equal(Enumerable.Range(0, 10).Reverse().Select(i => (long)i), Enumerable.Range(0, 10).Select(_ => lifo.Get(recorder, CancellationToken.None)));
            }

            using var fifo = SharedRingQueue.Create(fifoNames, QueueKind.Fifo, 3, 3, 1);
            var expected = 0L;
            for (var i = 0; i < 100; i += 2)
            {
                fifo.Put(recorder, i, 0, CancellationToken.None);
                fifo.Put(recorder, i + 1, 0, CancellationToken.None);
                Assert.Equal(expected++, fifo.Get(recorder, CancellationToken.None));
                Assert.True(fifo.TryGet(recorder, out var item));
                Assert.Equal(expected++, item);
            }

            Assert.False(fifo.TryGet(recorder, out _));
        }
        finally
        {
            lifoNames.Unlink();
            fifoNames.Unlink();
        }
    }

    [Fact(Timeout = 30_000)]
    public async Task A_full_ring_blocks_the_putter_until_a_get_frees_a_slot()
    {
        var names = new SharedQueueNames(NewRunId());
        try
        {
            using var queue = SharedRingQueue.Create(names, QueueKind.Fifo, 1, 1, 1);
            var recorder = new ListRecorder();
            queue.Put(recorder, 1, 0, CancellationToken.None);
            var putter = new ListRecorder();
            var blocked = Task.Run(() =>
            {
                using var view = SharedRingQueue.Open(names);
                view.Put(putter, 2, 0, CancellationToken.None);
            });

            await Eventually(() => putter.Count(EventKind.Wait) == 1, "the putter waits on a full queue");
            Assert.False(blocked.Wait(50));
            Assert.Equal(1, queue.Get(recorder, CancellationToken.None));
            await blocked.WaitAsync(Deadline);
            Assert.Equal(2, queue.Get(recorder, CancellationToken.None));
            Assert.Contains(putter.Events, e => e.Kind == EventKind.Wait && e.Resource == MonitorQueue.FullResource);
        }
        finally
        {
            names.Unlink();
        }
    }

    [Fact(Timeout = 30_000)]
    public async Task Join_returns_only_after_every_item_was_marked_done()
    {
        const int Items = 500;
        var names = new SharedQueueNames(NewRunId());
        try
        {
            using var queue = SharedRingQueue.Create(names, QueueKind.Fifo, 0, Items, 1);
            var producer = new ListRecorder();
            for (var i = 0; i < Items; i++)
            {
                queue.Put(producer, i, 0, CancellationToken.None);
            }

            var done = 0;
            var seenAtReturn = new int[2];
            var joiners = new List<Task>();
            var joinRecorders = new List<ListRecorder>();
            for (var j = 0; j < 2; j++)
            {
                var index = j;
                var recorder = new ListRecorder();
                joinRecorders.Add(recorder);
                joiners.Add(Task.Factory.StartNew(() =>
                {
                    using var view = SharedRingQueue.Open(names);
                    view.Join(recorder, CancellationToken.None);
                    seenAtReturn[index] = Volatile.Read(ref done);
                }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default));
            }

            await Eventually(() => joinRecorders.All(r => r.Count(EventKind.Wait) == 1), "both joiners are waiting");
            Assert.False(Task.WhenAll(joiners).Wait(50));

            var consumers = Enumerable.Range(0, 3).Select(c => Task.Factory.StartNew(() =>
            {
                using var view = SharedRingQueue.Open(names);
                var recorder = new ListRecorder();
                while (view.TryGet(recorder, out _))
                {
                    // Counted before task_done, so the last task_done comes after the count reached Items.
                    Interlocked.Increment(ref done);
                    view.TaskDone(recorder);
                }
            }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default)).ToList();

            await Task.WhenAll(consumers).WaitAsync(Deadline);
            await Task.WhenAll(joiners).WaitAsync(Deadline);

            Assert.Equal(Items, done);
            Assert.All(seenAtReturn, n => Assert.Equal(Items, n));
            Assert.Throws<InvalidOperationException>(() => queue.TaskDone(producer));
            // With nothing unfinished, join returns at once.
            queue.Join(producer, CancellationToken.None);
        }
        finally
        {
            names.Unlink();
        }
    }

    [Fact(Timeout = 120_000)]
    public async Task A_joiner_never_passes_on_an_all_done_that_happened_before_it_began_waiting()
    {
        // Each cycle: one item is put, every joiner blocks on it, then it is marked done. The
        // joiners that wake loop straight back into join() while the next cycle's item is already
        // in: a wake-up left for a slower joiner of the last cycle must not let them through.
        const int Joiners = 6;
        const int Cycles = 300;
        var names = new SharedQueueNames(NewRunId());
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(100));
        try
        {
            using var owner = SharedRingQueue.Create(names, QueueKind.Fifo, 0, 4, 1);
            long putsCompleted = 0;
            long donesStarted = 0;
            var early = new ConcurrentQueue<string>();
            long waits = 0;
            var finished = 0;
            var joinRecorders = Enumerable.Range(0, Joiners).Select(_ => new WaitCountingRecorder(() => Interlocked.Increment(ref waits))).ToList();
            var joiners = joinRecorders.Select((recorder, j) => Task.Factory.StartNew(() =>
            {
                using var view = SharedRingQueue.Open(names);
                while (Volatile.Read(ref finished) == 0)
                {
                    // Items whose put had returned before this join began: all must be done when it returns.
                    var put = Interlocked.Read(ref putsCompleted);
                    try
                    {
                        view.Join(recorder, stop.Token);
                    }
                    catch (OperationCanceledException)
                    {
                        // The driver gave up after a joiner passed early; the assertion below tells why.
                        return;
                    }

                    var done = Interlocked.Read(ref donesStarted);
                    if (done < put)
                    {
                        early.Enqueue($"joiner {j} returned with {put - done} of {put} items not done");
                    }
                }
            }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default)).ToList();

            var driver = Task.Factory.StartNew(() =>
            {
                using var view = SharedRingQueue.Open(names);
                var recorder = new ListRecorder();
                for (var cycle = 0; cycle < Cycles && early.IsEmpty; cycle++)
                {
                    view.Put(recorder, cycle, 0, stop.Token);
                    Interlocked.Increment(ref putsCompleted);
                    // Every joiner has blocked on this item (a wrong pass ends the wait too).
                    while (Interlocked.Read(ref waits) < (cycle + 1L) * Joiners && early.IsEmpty)
                    {
                        stop.Token.ThrowIfCancellationRequested();
                        Thread.Yield();
                    }

                    Assert.Equal(cycle, view.Get(recorder, stop.Token));
                    if (cycle == Cycles - 1)
                    {
                        Volatile.Write(ref finished, 1);
                    }

                    Interlocked.Increment(ref donesStarted);
                    view.TaskDone(recorder);
                }

                if (!early.IsEmpty)
                {
                    // A joiner robbed of its wake-up would wait for good: release them all.
                    Volatile.Write(ref finished, 1);
                    stop.Cancel();
                }
            }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

            await driver.WaitAsync(TimeSpan.FromSeconds(100));
            await Task.WhenAll(joiners).WaitAsync(TimeSpan.FromSeconds(100));

            Assert.True(early.IsEmpty, string.Join("; ", early.Take(5)));
            Assert.Equal(0, owner.Unfinished);
            Assert.Equal(Cycles, Interlocked.Read(ref donesStarted));
            // Each joiner blocked once per cycle, on that cycle's item.
            Assert.Equal((long)Cycles * Joiners, Interlocked.Read(ref waits));
        }
        finally
        {
            await stop.CancelAsync();
            names.Unlink();
        }

        Assert.All(names.Paths, p => Assert.False(File.Exists(p), $"{p} was left behind"));
    }

    /// <summary>Counts the waits it records, for a driver that must know every joiner blocked.</summary>
    private sealed class WaitCountingRecorder(Action onWait) : IActorRecorder
    {
        public int Actor => 0;

        public void Record(EventKind kind, string? resource = null, long value = 0, long level = -1)
        {
            if (kind == EventKind.Wait)
            {
                onWait();
            }
        }
    }

    [Fact(Timeout = 30_000)]
    public async Task A_cancelled_join_leaves_nothing_behind_for_the_next_joiner()
    {
        var names = new SharedQueueNames(NewRunId());
        try
        {
            using var queue = SharedRingQueue.Create(names, QueueKind.Fifo, 0, 4, 1);
            var worker = new ListRecorder();
            queue.Put(worker, 1, 0, CancellationToken.None);
            using var cts = new CancellationTokenSource();
            var quitter = new ListRecorder();
            var cancelled = Task.Factory.StartNew(() =>
            {
                using var view = SharedRingQueue.Open(names);
                view.Join(quitter, cts.Token);
            }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
            await Eventually(() => quitter.Count(EventKind.Wait) == 1, "the first joiner waits");
            await cts.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled.WaitAsync(Deadline));

            // Finish the first item and start a second: a joiner now must wait for the second.
            Assert.Equal(1, queue.Get(worker, CancellationToken.None));
            queue.TaskDone(worker);
            queue.Put(worker, 2, 0, CancellationToken.None);
            var next = new ListRecorder();
            var waiting = Task.Factory.StartNew(() =>
            {
                using var view = SharedRingQueue.Open(names);
                view.Join(next, CancellationToken.None);
            }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
            await Eventually(() => next.Count(EventKind.Wait) == 1, "the next joiner waits");
            Assert.False(waiting.Wait(100), "a join passed while an item was unfinished");

            Assert.Equal(2, queue.Get(worker, CancellationToken.None));
            queue.TaskDone(worker);
            await waiting.WaitAsync(Deadline);
        }
        finally
        {
            names.Unlink();
        }
    }

    [Fact]
    public void Every_operation_of_the_ring_passes_the_choke_point_before_it_records()
    {
        var names = new SharedQueueNames(NewRunId());
        try
        {
            using var queue = SharedRingQueue.Create(names, QueueKind.Fifo, 2, 2, 1);
            var actor = new EnterRecorder();

            queue.Put(actor, 1, 0, CancellationToken.None);
            Assert.False(queue.IsEmpty(actor));
            Assert.Equal(1, queue.Get(actor, CancellationToken.None));
            Assert.False(queue.TryGet(actor, out _));
            queue.TaskDone(actor);
            queue.Join(actor, CancellationToken.None);

            Assert.Equal(
                [
                    (true, EventKind.Put, "queue"), (false, EventKind.Put, "queue"),
                    (true, EventKind.Poll, "queue:empty"),
                    (true, EventKind.Get, "queue"), (false, EventKind.Get, "queue"),
                    (true, EventKind.Get, "queue"),
                    (true, EventKind.Done, "queue"), (false, EventKind.Done, "queue"),
                    (true, EventKind.Wait, "queue:join"),
                ],
                actor.Seen);
        }
        finally
        {
            names.Unlink();
        }
    }

    [Fact]
    public void The_last_producer_to_finish_is_told_so_through_the_shared_header()
    {
        var names = new SharedQueueNames(NewRunId());
        try
        {
            using var owner = SharedRingQueue.Create(names, QueueKind.Fifo, 2, 2, 3);
            using var other = SharedRingQueue.Open(names);
            Assert.False(other.IsZero);
            Assert.False(owner.Signal());
            Assert.False(other.Signal());
            Assert.True(owner.Signal());
            Assert.True(other.IsZero);
        }
        finally
        {
            names.Unlink();
        }
    }

    [Fact]
    public void Creating_a_queue_whose_names_exist_fails_and_opening_a_missing_one_fails()
    {
        var names = new SharedQueueNames(NewRunId());
        try
        {
            using var first = SharedRingQueue.Create(names, QueueKind.Fifo, 2, 2, 1);
            Assert.ThrowsAny<IOException>(() => SharedRingQueue.Create(names, QueueKind.Fifo, 2, 2, 1));
            // The failed second create must not take the first queue's names away from it.
            Assert.All(names.Paths, p => Assert.True(File.Exists(p), $"{p} was removed by a create that failed"));
            using var view = SharedRingQueue.Open(names);
            view.Put(new ListRecorder(), 5, 0, CancellationToken.None);
            Assert.Equal(5, first.Get(new ListRecorder(), CancellationToken.None));
        }
        finally
        {
            names.Unlink();
        }

        Assert.All(names.Paths, p => Assert.False(File.Exists(p)));
        Assert.ThrowsAny<IOException>(() => SharedRingQueue.Open(names));
    }
}
