using Playground.Scenarios.Primitives;
using Playground.Scenarios.Recording;
using Playground.Shared.Events;

namespace Playground.Scenarios.Tests;

public sealed class MonitorQueueContentionTests
{
    private const int Producers = 8;
    private const int ItemsPerProducer = 10_000;
    private const int Consumers = 4;
    private const int Total = Producers * ItemsPerProducer;

    public static TheoryData<QueueKind, int> KindsAndCapacities()
    {
        var data = new TheoryData<QueueKind, int>();
        foreach (var kind in Enum.GetValues<QueueKind>())
        {
            foreach (var capacity in new[] { 1, 4, 64 })
            {
                data.Add(kind, capacity);
            }
        }

        return data;
    }

    [Theory(Timeout = 120_000)]
    [MemberData(nameof(KindsAndCapacities))]
    public async Task Every_item_is_consumed_exactly_once_and_depth_never_exceeds_capacity(QueueKind kind, int capacity)
    {
        var queue = new MonitorQueue(kind, capacity);
        // Each put and get records at most one wait besides itself; the cap leaves room for that
        // plus a partly used chunk per actor, so nothing is dropped.
        using var recorder = new EventRecorder(Producers + Consumers, 4L * Total + (Producers + Consumers) * 4096L);
        var counts = new int[Total];
        long consumedSum = 0;
        long consumedCount = 0;
        var claimed = 0;

        var threads = new List<Task>();
        for (var p = 0; p < Producers; p++)
        {
            var producer = p;
            threads.Add(TestSupport.OnThread(() =>
            {
                var log = recorder[producer];
                var random = new Random(producer);
                for (var i = 0; i < ItemsPerProducer; i++)
                {
                    queue.Put(log, ((long)producer * ItemsPerProducer) + i, random.Next(10), CancellationToken.None);
                }
            }, TimeSpan.FromSeconds(100)));
        }

        for (var c = 0; c < Consumers; c++)
        {
            var log = recorder[Producers + c];
            threads.Add(TestSupport.OnThread(() =>
            {
                // Claim a get before making it: exactly Total gets happen, so none blocks forever.
                while (Interlocked.Increment(ref claimed) <= Total)
                {
                    var item = queue.Get(log, CancellationToken.None);
                    Interlocked.Increment(ref counts[item]);
                    Interlocked.Add(ref consumedSum, item);
                    Interlocked.Increment(ref consumedCount);
                }
            }, TimeSpan.FromSeconds(100)));
        }

        await Task.WhenAll(threads);

        Assert.Equal(Total, Interlocked.Read(ref consumedCount));
        Assert.Equal((long)Total * (Total - 1) / 2, Interlocked.Read(ref consumedSum));
        var wrong = Enumerable.Range(0, Total).Where(i => counts[i] != 1).Take(10).ToList();
        Assert.True(wrong.Count == 0, "items not consumed exactly once: " + string.Join(", ", wrong.Select(i => $"{i}×{counts[i]}")));
        Assert.Equal(0, queue.Depth);
        Assert.InRange(queue.MaxDepth, 1, capacity);

        Assert.Equal(0, recorder.Dropped);
        var puts = 0;
        var gets = 0;
        for (var a = 0; a < recorder.ActorCount; a++)
        {
            foreach (var e in TestSupport.Events(recorder[a]))
            {
                if (e.Kind is EventKind.Put or EventKind.Get)
                {
                    Assert.InRange(e.Level, 0, capacity);
                    if (e.Kind == EventKind.Put)
                    {
                        puts++;
                        Assert.InRange(e.Level, 1, capacity);
                    }
                    else
                    {
                        gets++;
                        Assert.InRange(e.Level, 0, capacity - 1);
                    }
                }
                else if (e.Kind == EventKind.Wait)
                {
                    Assert.InRange(e.Level, 0, capacity);
                }
            }
        }

        Assert.Equal(Total, puts);
        Assert.Equal(Total, gets);
    }

    [Theory(Timeout = 60_000)]
    [InlineData(4)]
    [InlineData(0)] // unbounded: the producer runs ahead and the ring grows while the consumer takes
    public async Task Fifo_keeps_the_order_of_a_single_producer_for_a_single_consumer(int capacity)
    {
        const int n = 20_000;
        var queue = new MonitorQueue(QueueKind.Fifo, capacity);
        using var recorder = new EventRecorder(2, 1_000_000);
        var producer = TestSupport.OnThread(() =>
        {
            for (var i = 0; i < n; i++)
            {
                queue.Put(recorder[0], i, priority: n - i, CancellationToken.None);
            }
        });
        var received = await TestSupport.OnThread(() =>
        {
            var got = new List<long>(n);
            for (var i = 0; i < n; i++)
            {
                got.Add(queue.Get(recorder[1], CancellationToken.None));
            }

            return got;
        });
        await producer;

        Assert.Equal(Enumerable.Range(0, n).Select(i => (long)i), received);
    }

    [Fact]
    public void An_unbounded_fifo_that_grows_with_its_first_item_not_at_the_start_keeps_the_order()
    {
        var queue = new MonitorQueue(QueueKind.Fifo, 0);
        using var recorder = new EventRecorder(1, 10_000);
        var log = recorder[0];
        var expected = new Queue<long>();
        var next = 0L;
        // Puts and gets in uneven turns, so the buffer wraps and then outgrows itself several times.
        foreach (var (puts, gets) in new[] { (3, 2), (5, 1), (9, 4), (40, 30), (100, 3), (7, 124) })
        {
            for (var i = 0; i < puts; i++)
            {
                queue.Put(log, next, 0, CancellationToken.None);
                expected.Enqueue(next++);
            }

            for (var i = 0; i < gets; i++)
            {
                Assert.Equal(expected.Dequeue(), queue.Get(log, CancellationToken.None));
            }

            Assert.Equal(expected.Count, queue.Depth);
        }

        Assert.Equal(0, queue.Depth);
        Assert.Equal(124, queue.MaxDepth);
    }

    [Fact]
    public void Lifo_returns_the_last_item_put_first()
    {
        var queue = new MonitorQueue(QueueKind.Lifo, 0);
        using var recorder = new EventRecorder(1, 10_000);
        var log = recorder[0];
        foreach (var item in new long[] { 10, 20, 30, 40 })
        {
            queue.Put(log, item, 0, CancellationToken.None);
        }

        Assert.Equal(40, queue.Get(log, CancellationToken.None));
        queue.Put(log, 50, 0, CancellationToken.None);
        var rest = Enumerable.Range(0, 4).Select(_ => queue.Get(log, CancellationToken.None)).ToList();

        Assert.Equal(new long[] { 50, 30, 20, 10 }, rest);
        Assert.Equal(0, queue.Depth);
    }

    [Fact]
    public void Priority_returns_the_lowest_priority_first_and_ties_in_arrival_order()
    {
        var queue = new MonitorQueue(QueueKind.Priority, 10);
        using var recorder = new EventRecorder(1, 10_000);
        var log = recorder[0];
        (long Item, long Priority)[] puts = [(1, 5), (2, 1), (3, 3), (4, 1), (5, 0), (6, long.MaxValue), (7, 3)];
        foreach (var (item, priority) in puts)
        {
            queue.Put(log, item, priority, CancellationToken.None);
        }

        var order = puts.Select(_ => queue.Get(log, CancellationToken.None)).ToList();

        Assert.Equal(new long[] { 5, 2, 4, 3, 7, 1, 6 }, order);
    }

    [Fact]
    public void TryGet_on_an_empty_queue_returns_false_without_recording()
    {
        var queue = new MonitorQueue(QueueKind.Fifo, 2);
        using var recorder = new EventRecorder(1, 10_000);

        Assert.False(queue.TryGet(recorder[0], out _));
        Assert.Equal(0, recorder[0].Count);

        queue.Put(recorder[0], 7, 0, CancellationToken.None);
        Assert.True(queue.TryGet(recorder[0], out var item));
        Assert.Equal(7, item);
    }

    [Fact]
    public void TaskDone_more_often_than_items_put_is_refused()
    {
        var queue = new MonitorQueue(QueueKind.Fifo, 2);
        using var recorder = new EventRecorder(1, 10_000);
        queue.Put(recorder[0], 1, 0, CancellationToken.None);
        queue.Get(recorder[0], CancellationToken.None);
        queue.TaskDone(recorder[0]);

        Assert.Throws<InvalidOperationException>(() => queue.TaskDone(recorder[0]));
    }
}
