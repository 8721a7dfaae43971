using Playground.Scenarios.Recording;
using Playground.Shared.Events;

namespace Playground.Scenarios.Tests;

public sealed class EventRecorderTests
{
    [Fact(Timeout = 60_000)]
    public async Task A_concurrent_reader_sees_every_event_exactly_once_merged_by_time()
    {
        const int writers = 4;
        const int perWriter = 50_000;
        using var recorder = new EventRecorder(writers, 1_000_000);
        var writing = 0;
        var writerTasks = Enumerable.Range(0, writers).Select(w => TestSupport.OnThread(() =>
        {
            Interlocked.Increment(ref writing);
            var log = recorder[w];
            for (var i = 0; i < perWriter; i++)
            {
                log.Record(EventKind.Put, "queue", i, i % 7);
            }
        })).ToList();

        var seen = new int[writers, perWriter];
        var batches = 0;
        var nextExpected = new int[writers];
        var reader = TestSupport.OnThread(() =>
        {
            var cursors = new int[writers];
            long total = 0;
            while (total < (long)writers * perWriter)
            {
                var batch = recorder.ReadNew(cursors, maxEvents: 10_000);
                batches++;
                for (var i = 1; i < batch.Count; i++)
                {
                    Assert.True(batch[i - 1].Timestamp <= batch[i].Timestamp, "a batch is not sorted by timestamp");
                }

                foreach (var e in batch)
                {
                    seen[e.Actor, e.Value]++;
                    // Within one actor the merged stream keeps the order the actor recorded in.
                    Assert.Equal(nextExpected[e.Actor], e.Value);
                    nextExpected[e.Actor]++;
                    Assert.Equal(e.Value % 7, e.Level);
                }

                total += batch.Count;
                if (batch.Count == 0)
                {
                    Thread.Yield();
                }
            }

            Assert.Empty(recorder.ReadNew(cursors));
            Assert.Equal(0, recorder.Pending(cursors));
        });

        await Task.WhenAll(writerTasks);
        await reader;

        for (var w = 0; w < writers; w++)
        {
            for (var i = 0; i < perWriter; i++)
            {
                Assert.Equal(1, seen[w, i]);
            }
        }

        Assert.True(batches > 1);
        Assert.Equal((long)writers * perWriter, recorder.Count);
        Assert.Equal(0, recorder.Dropped);
        var snapshot = recorder.Snapshot();
        Assert.Equal(writers * perWriter, snapshot.Count);
        for (var i = 1; i < snapshot.Count; i++)
        {
            Assert.True(snapshot[i - 1].Timestamp <= snapshot[i].Timestamp);
        }
    }

    [Theory]
    [InlineData(1, 100, 1_000)]
    [InlineData(1, 5_000, 20_000)]
    [InlineData(1, 4_096, 4_097)]
    [InlineData(3, 10_000, 9_000)]
    [InlineData(4, 50, 10)]
    public void The_cap_bounds_the_log_and_every_event_not_kept_is_counted_as_dropped(int actors, long cap, int attemptsPerActor)
    {
        using var recorder = new EventRecorder(actors, cap);
        for (var a = 0; a < actors; a++)
        {
            for (var i = 0; i < attemptsPerActor; i++)
            {
                recorder[a].Record(EventKind.Work, null, i);
            }
        }

        Assert.InRange(recorder.Count, 0, cap);
        Assert.Equal((long)actors * attemptsPerActor, recorder.Count + recorder.Dropped);
        for (var a = 0; a < actors; a++)
        {
            var log = recorder[a];
            Assert.Equal(attemptsPerActor, log.Count + log.Dropped);
            // What is kept is the beginning of the actor's events, whole.
            for (var i = 0; i < log.Count; i++)
            {
                Assert.Equal(i, log[i].Value);
            }
        }
    }

    [Theory]
    [InlineData(100, 1_000)]
    [InlineData(5_000, 20_000)]
    [InlineData(10_000, 9_000)]
    public void A_single_actor_keeps_its_events_up_to_the_cap(long cap, int attempts)
    {
        using var recorder = new EventRecorder(1, cap);
        for (var i = 0; i < attempts; i++)
        {
            recorder[0].Record(EventKind.Work, null, i);
        }

        Assert.Equal(Math.Min(cap, attempts), recorder.Count);
        Assert.Equal(attempts - Math.Min(cap, attempts), recorder.Dropped);
    }

    [Fact(Timeout = 60_000)]
    public async Task Actors_racing_for_the_last_room_never_exceed_the_cap()
    {
        const int actors = 6;
        const long cap = 30_000;
        const int attempts = 20_000;
        using var recorder = new EventRecorder(actors, cap);

        await Task.WhenAll(Enumerable.Range(0, actors).Select(a => TestSupport.OnThread(() =>
        {
            for (var i = 0; i < attempts; i++)
            {
                recorder[a].Record(EventKind.Work, null, i);
            }
        })));

        Assert.InRange(recorder.Count, 1, cap);
        Assert.Equal((long)actors * attempts, recorder.Count + recorder.Dropped);
    }

    [Fact]
    public void Converts_timestamps_to_nanoseconds_since_the_start()
    {
        using var recorder = new EventRecorder(1, 10_000);
        recorder.MarkStart();
        recorder[0].Record(EventKind.Start);
        TestSupport.ClockPast(recorder[0][0].Timestamp);
        recorder[0].Record(EventKind.End);

        var events = recorder.Snapshot().Select(e => recorder.ToDto(e)).ToList();

        Assert.Equal(["start", "end"], events.Select(e => e.Kind));
        Assert.True(events[0].T >= 0);
        Assert.True(events[1].T > events[0].T);
    }

    [Fact]
    public void Every_field_reads_back_as_recorded_however_far_it_is_from_what_a_compact_event_holds()
    {
        // Values past four bytes, times hours apart and before the chunk's first, every kind, a
        // resource past the run's names: what the 16-byte event keeps aside or packs must come back.
        using var recorder = new EventRecorder(1, 100_000);
        var log = recorder[0];
        var start = recorder.StartTimestamp;
        var hour = 3_600 * System.Diagnostics.Stopwatch.Frequency;
        var expected = new List<RawEvent>();
        var kinds = Enum.GetValues<EventKind>();
        long[] values = [0, 1, -1, int.MaxValue, int.MinValue, (long)int.MaxValue + 1, long.MaxValue, long.MinValue, 5_000_000_000];
        long[] times = [0, 10, -5, 2 * hour, 2 * hour + 1, -2 * hour, 37];
        for (var i = 0; i < 3 * ActorLog.ChunkSize; i++)
        {
            var e = new RawEvent(start + times[i % times.Length] + i, 0, kinds[i % kinds.Length], i % 3 == 0 ? null : $"r{i % 7}",
                values[i % values.Length], i % 5 == 0 ? -1 : i % 97);
            log.RecordAt(e.Timestamp, e.Kind, e.Resource, e.Value, e.Level);
            expected.Add(e);
        }

        Assert.Equal(expected.Count, log.Count);
        for (var i = 0; i < expected.Count; i++)
        {
            Assert.Equal(expected[i], log[i]);
            Assert.Equal(expected[i].Timestamp, log.TimestampAt(i));
        }
    }

    [Fact]
    public void Names_past_the_most_a_run_may_have_read_back_as_an_ellipsis()
    {
        using var recorder = new EventRecorder(1, 100_000);
        var names = recorder.Resources;
        for (var i = 0; i < ResourceNames.MaxNames; i++)
        {
            Assert.NotEqual(ResourceNames.Overflow, names.NumberOf($"n{i}"));
        }

        recorder[0].Record(EventKind.Put, "one too many", 3, 4);
        recorder[0].Record(EventKind.Put, "n0", 5, 6);

        Assert.Equal("…", recorder[0][0].Resource);
        Assert.Equal("n0", recorder[0][1].Resource);
        Assert.Equal(6, recorder[0][1].Level);
    }
}
