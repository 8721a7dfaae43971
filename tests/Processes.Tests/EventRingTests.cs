using System.Diagnostics;
using System.Globalization;
using Playground.Scenarios.Primitives;
using Playground.Scenarios.Processes;
using Playground.Scenarios.Recording;
using Playground.Shared.Catalog;
using Playground.Shared.Events;
using Playground.Shared.Parameters;
using Xunit;
using static Playground.Processes.Tests.ProcessTestSupport;
using S = Playground.Shared.Catalog.ProducerConsumerSchema;

namespace Playground.Processes.Tests;

/// <summary>A child's event ring in shared memory: what its writer publishes reaches the server whole, in order, or counted as lost.</summary>
public sealed class EventRingTests
{
    private static string NewRingPath() => EventRing.PathOf(SharedNameOwner.Current + "-" + NewRunId(), 0);

    [Fact(Timeout = 60_000)]
    public async Task Under_contention_every_event_arrives_whole_and_in_order_or_is_counted_as_lost()
    {
        const int Threads = 4;
        const int PerThread = 50_000;
        var path = NewRingPath();
        using var recorder = new EventRecorder(1, 10_000_000);
        // A small ring wraps hundreds of times, while the reader drains as the writers write.
        using (var reader = EventRingReader.Create(path, 1024))
        {
            using var writer = EventRingWriter.Open(path, 0);
            var names = Enumerable.Range(0, Threads).Select(t => "lane-" + t.ToString(CultureInfo.InvariantCulture)).ToArray();
            var writers = Enumerable.Range(0, Threads).Select(t => Task.Factory.StartNew(() =>
            {
                for (var i = 0; i < PerThread; i++)
                {
                    var value = ((long)t << 40) | (uint)i;
                    // The level checks the value: a torn record breaks the pair.
                    writer.Record(EventKind.Put, names[t], value, Check(value));
                }
            }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default)).ToArray();
            var drained = 0L;
            while (!writers.All(w => w.IsCompleted))
            {
                drained += reader.Drain(recorder[0]);
            }

            await Task.WhenAll(writers);
            drained += reader.Drain(recorder[0]);

            Assert.Equal(writer.Written, drained);
            Assert.Equal((long)Threads * PerThread, writer.Written + writer.Dropped);
            Assert.Equal(writer.Dropped, recorder[0].Lost);
            Assert.Equal(writer.Dropped, recorder.Dropped);
        }

        Assert.False(File.Exists(path), "the reader removes the ring's file");
        var events = recorder.Snapshot();
        var lastSeen = Enumerable.Repeat(-1L, Threads).ToArray();
        var lastTime = long.MinValue;
        foreach (var e in events)
        {
            var thread = (int)(e.Value >> 40);
            var sequence = e.Value & 0xFF_FFFF_FFFF;
            Assert.Equal(Check(e.Value), e.Level);
            Assert.Equal("lane-" + thread.ToString(CultureInfo.InvariantCulture), e.Resource);
            Assert.True(sequence > lastSeen[thread], $"thread {thread}'s event {sequence} came after its {lastSeen[thread]}");
            lastSeen[thread] = sequence;
            Assert.True(e.Timestamp >= lastTime, "the ring's order is the order of its times");
            lastTime = e.Timestamp;
        }
    }

    private static int Check(long value) => (int)((value * 2_654_435_761L) >> 16) & int.MaxValue;

    [Fact]
    public void A_full_ring_counts_what_it_could_not_keep_and_takes_events_again_once_drained()
    {
        var path = NewRingPath();
        using var recorder = new EventRecorder(1, 1_000_000);
        using var reader = EventRingReader.Create(path, 1024);
        using var writer = EventRingWriter.Open(path, 0);
        for (var i = 0; i < 5_000; i++)
        {
            writer.Record(EventKind.Get, "queue", i);
        }

        Assert.Equal(1024, writer.Written);
        Assert.Equal(5_000 - 1024, writer.Dropped);

        Assert.Equal(1024, reader.Drain(recorder[0]));
        Assert.Equal(Enumerable.Range(0, 1024).Select(i => (long)i), recorder.Snapshot().Select(e => e.Value));
        Assert.Equal(5_000 - 1024, recorder[0].Lost);
        Assert.Equal(5_000 - 1024, recorder.Lost);

        writer.Record(EventKind.Get, "queue", 7_000);
        Assert.Equal(1, reader.Drain(recorder[0]));
        Assert.Equal(7_000, recorder.Snapshot()[^1].Value);
        Assert.Equal(5_000 - 1024, recorder.Lost);
    }

    [Fact]
    public void A_reader_that_never_drains_never_blocks_a_primitive_the_writers_use()
    {
        const int Items = 20_000;
        var names = new SharedQueueNames(SharedNameOwner.Current + "-" + NewRunId());
        var producerRing = NewRingPath();
        var consumerRing = NewRingPath();
        try
        {
            using var queue = SharedRingQueue.Create(names, QueueKind.Fifo, 4, 4, 1);
            using var producerReader = EventRingReader.Create(producerRing, 16);
            using var consumerReader = EventRingReader.Create(consumerRing, 16);
            using var producer = EventRingWriter.Open(producerRing, 0);
            using var consumer = EventRingWriter.Open(consumerRing, 1);
            long sum = 0;
            var put = Task.Factory.StartNew(() =>
            {
                for (var i = 1; i <= Items; i++)
                {
                    queue.Put(producer, i, 0, CancellationToken.None);
                }
            }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
            var get = Task.Factory.StartNew(() =>
            {
                for (var i = 0; i < Items; i++)
                {
                    sum += queue.Get(consumer, CancellationToken.None);
                }
            }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

            Assert.True(Task.WaitAll([put, get], TimeSpan.FromSeconds(30)), "the queue's users were held up by rings nobody reads");
            Assert.Equal((long)Items * (Items + 1) / 2, sum);
            Assert.Equal(16, producer.Written);
            Assert.Equal(16, consumer.Written);
            Assert.True(producer.Dropped >= Items - 16, $"the producer's ring dropped {producer.Dropped}");
        }
        finally
        {
            names.Unlink();
        }
    }

    [Fact]
    public void A_child_killed_mid_run_keeps_every_event_it_wrote_though_none_was_read_while_it_lived()
    {
        var runId = SharedNameOwner.Current + "-" + NewRunId();
        var names = new SharedQueueNames(runId);
        var ringPath = EventRing.PathOf(runId, 0);
        using var recorder = new EventRecorder(1, 1_000);
        try
        {
            // A producer of three items into a queue of one that nobody empties: it puts the first,
            // then blocks on the second until it is killed.
            using var queue = SharedRingQueue.Create(names, QueueKind.Fifo, 1, 1, 1);
            using var ring = EventRingReader.Create(ringPath);
            var values = Values((S.Producers, "1"), (S.Consumers, "1"), (S.Items, "3"), (S.Capacity, "1"), (S.ProduceDelay, "0"), (S.Jitter, "0"));
            var info = Worker.StartInfo(
                ["--parent", Environment.ProcessId.ToString(CultureInfo.InvariantCulture), "--pgid", "0", "--events", ring.Path,
                    "--scenario", S.Id, "--run", runId, "--actor", "0", "--params", ShareLink.EncodeQuery(S.Descriptor, values)],
                redirectInput: true, redirectError: true);
            using var child = Process.Start(info)!;
            var blocked = Stopwatch.StartNew();
            while (ring.Published < 5)
            {
                Assert.False(child.HasExited, "the producer exited instead of blocking");
                Assert.True(blocked.Elapsed < TimeSpan.FromSeconds(20), "the producer never blocked on the full queue");
                Thread.Sleep(10);
            }

            // Long enough for anything else it might wrongly write.
            Thread.Sleep(200);
            Assert.Equal(5, ring.Published);

            Assert.Equal(0, ring.Read);
            child.Kill();
            child.WaitForExit();

            ring.Drain(recorder[0]);
            var events = recorder.Snapshot();
            // Its start, the first item made and put, the second made, and its wait for room for it.
            Assert.Equal([EventKind.Start, EventKind.Work, EventKind.Put, EventKind.Work, EventKind.Wait], events.Select(e => e.Kind));
            Assert.Equal(0, events[2].Value);
            Assert.Equal("queue:full", events[^1].Resource);
            Assert.Equal(1, events[^1].Value);
            Assert.Equal(0, recorder.Dropped);
        }
        finally
        {
            names.Unlink();
            EventRing.Unlink(ringPath);
        }
    }

    [Fact]
    public void The_writer_maps_its_pages_ahead_of_what_it_writes()
    {
        // MADV_POPULATE_WRITE came with Linux 5.14; before it the writer's pages are faulted in as written.
        if (Environment.OSVersion.Version < new Version(5, 14))
        {
            return;
        }

        const int Events = 1 << 16;
        var path = NewRingPath();
        using var reader = EventRingReader.Create(path, Events);
        var readerOnly = ResidentKilobytes(path);
        using var writer = EventRingWriter.Open(path, 0);
        var opened = ResidentKilobytes(path);
        // Nothing written yet, and the writer's view already holds the first 16 KB of records.
        Assert.True(opened - readerOnly >= 16, $"the ring's mappings hold {readerOnly} KB before the writer opened it, {opened} KB after");

        // Written 64 records (1.5 KB) at a time, a page faulted in as it is first written would
        // grow the mappings by 8 KB at most between two looks; a window mapped ahead by more.
        var largestStep = 0L;
        var resident = opened;
        for (var i = 0; i < Events; i++)
        {
            writer.Record(EventKind.Put, "queue", i, i & 63);
            if (i % 64 == 63 && i < 8192)
            {
                var now = ResidentKilobytes(path);
                largestStep = Math.Max(largestStep, now - resident);
                resident = now;
            }
        }

        Assert.True(largestStep >= 12, $"the writer's mapping grew by at most {largestStep} KB at a time past its first window");
        Assert.Equal(Events, writer.Written);
        using var recorder = new EventRecorder(1, Events);
        Assert.Equal(Events, reader.Drain(recorder[0]));
    }

    /// <summary>The kilobytes of this process's mappings of <paramref name="path"/> that are in memory and mapped.</summary>
    private static long ResidentKilobytes(string path)
    {
        long total = 0;
        var inRing = false;
        foreach (var line in File.ReadLines("/proc/self/smaps"))
        {
            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length > 0 && fields[0].Contains('-', StringComparison.Ordinal) && !fields[0].EndsWith(':'))
            {
                inRing = fields[^1] == path;
            }
            else if (inRing && fields is ["Rss:", var kilobytes, "kB"])
            {
                total += long.Parse(kilobytes, CultureInfo.InvariantCulture);
            }
        }

        return total;
    }
}
