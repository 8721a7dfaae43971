using Playground.Scenarios.Recording;
using Playground.Shared.Catalog;
using Playground.Shared.Events;
using Playground.Shared.Runs;

namespace Playground.Scenarios.Tests;

/// <summary>
/// The level-of-detail index against a brute-force reading of the same raw events: random runs,
/// random windows, every resolution; the time per state in each bucket, the instants by kind,
/// the gauges, and the raw events of small windows must agree exactly.
/// </summary>
public sealed class TileIndexTests
{
    private static readonly GaugeSpec Depth = new() { Id = "depth", Resource = "queue" };

    private static readonly EventKind[] Kinds =
    [
        EventKind.Start, EventKind.Work, EventKind.Sleep, EventKind.Wait, EventKind.Put, EventKind.Get,
        EventKind.Acquire, EventKind.Release, EventKind.Mark, EventKind.Poll, EventKind.End, EventKind.Crash,
        EventKind.Error, EventKind.Set, EventKind.Clear,
    ];

    /// <summary>One synthetic run: each lane's events (in time order, ties allowed), the horizon, and the recorder holding them.</summary>
    private sealed record SyntheticRun(EventRecorder Recorder, List<RawEvent>[] Lanes, long Horizon) : IDisposable
    {
        public void Dispose() => Recorder.Dispose();
    }

    /// <param name="grid">When above 1, every event and (in the test) every bucket edge falls on a multiple of it, so edges meet events.</param>
    private static SyntheticRun Generate(Random random, int lanes, int maxEvents, int grid)
    {
        var recorder = new EventRecorder(lanes, 1_000_000);
        var start = recorder.StartTimestamp;
        var logs = new List<RawEvent>[lanes];
        long latest = 0;
        for (var a = 0; a < lanes; a++)
        {
            logs[a] = [];
            var count = random.Next(0, maxEvents);
            long t = random.Next(0, 1000) / grid * grid;
            for (var i = 0; i < count; i++)
            {
                // Ties, short gaps and long ones: buckets of every kind of mix.
                t += grid * random.Next(4) switch { 0 => 0, 1 => random.Next(1, 10), 2 => random.Next(10, 1000), _ => random.Next(1000, 100_000) / grid };
                var kind = Kinds[random.Next(Kinds.Length)];
                var touchesQueue = kind is EventKind.Put or EventKind.Get || (kind == EventKind.Wait && random.Next(2) == 0);
                var resource = touchesQueue ? (kind == EventKind.Wait ? "queue:full" : "queue") : kind == EventKind.Acquire ? "lock" : null;
                var level = touchesQueue ? random.Next(0, 6) : -1;
                var e = new RawEvent(start + t, a, kind, resource, i, level);
                recorder[a].RecordAt(e.Timestamp, e.Kind, e.Resource, e.Value, e.Level);
                logs[a].Add(e);
            }

            latest = Math.Max(latest, t);
        }

        return new SyntheticRun(recorder, logs, latest + random.Next(0, 50_000));
    }

    /// <summary>Time per state of one lane within [from, to), walking every event.</summary>
    private static (long Running, long Blocked, long Sleeping) StateTimes(SyntheticRun run, int lane, long from, long to)
    {
        long running = 0, blocked = 0, sleeping = 0;
        var state = LaneState.Idle;
        long since = 0;

        void Add(long x, long y)
        {
            y = Math.Min(y, run.Horizon);
            var overlap = Math.Min(y, to) - Math.Max(x, from);
            if (overlap <= 0)
            {
                return;
            }

            switch (state)
            {
                case LaneState.Running: running += overlap; break;
                case LaneState.Blocked: blocked += overlap; break;
                case LaneState.Sleeping: sleeping += overlap; break;
            }
        }

        foreach (var e in run.Lanes[lane])
        {
            var t = run.Recorder.ToNanoseconds(e.Timestamp);
            Add(since, t);
            since = t;
            state = LaneStates.Next(state, e.Kind);
        }

        Add(since, run.Horizon);
        return (running, blocked, sleeping);
    }

    private static Dictionary<string, int> Instants(SyntheticRun run, int lane, long from, long to) =>
        run.Lanes[lane]
            // Instants: the kinds that set no state, and a crash, which a learner must be able to find.
            .Where(e => (!LaneStates.IsStateKind(e.Kind) || e.Kind == EventKind.Crash)
                && run.Recorder.ToNanoseconds(e.Timestamp) >= from && run.Recorder.ToNanoseconds(e.Timestamp) < to)
            .GroupBy(e => e.Kind.Name())
            .ToDictionary(g => g.Key, g => g.Count());

    /// <summary>The gauge within [from, to): the level held at `from` (unless one was set at that instant), every level set inside, and the level at the end.</summary>
    private static GaugeBucket Gauge(SyntheticRun run, long from, long to)
    {
        var readings = run.Lanes
            .SelectMany((log, lane) => log.Where(e => e.Level >= 0 && e.Resource is not null && Depth.Matches(e.Resource))
                .Select(e => (T: run.Recorder.ToNanoseconds(e.Timestamp), Lane: lane, e.Level)))
            .OrderBy(r => r.T).ThenBy(r => r.Lane)
            .ToList();
        var inside = readings.Where(r => r.T >= from && r.T < to).Select(r => r.Level).ToList();
        var before = readings.Where(r => r.T < from).ToList();
        if (before.Count > 0 && !readings.Any(r => r.T == from))
        {
            inside.Add(before[^1].Level);
        }

        var upToEnd = readings.Where(r => r.T < to).ToList();
        return new GaugeBucket(inside.Count == 0 ? null : inside.Min(), inside.Count == 0 ? null : inside.Max(), upToEnd.Count == 0 ? null : upToEnd[^1].Level);
    }

    [Fact]
    public void Every_bucket_of_random_runs_at_every_resolution_agrees_with_a_brute_force_reading_of_the_events()
    {
        var random = new Random(20261207);
        var windows = 0;
        for (var trial = 0; trial < 40; trial++)
        {
            // Half the runs on a grid, where bucket edges land on events and on gauge readings.
            var grid = trial % 2 == 0 ? 1 : 100;
            using var run = Generate(random, lanes: random.Next(1, 5), maxEvents: random.Next(1, 400), grid);
            var index = new TileIndex(run.Recorder, [Depth]);
            for (var q = 0; q < 6; q++)
            {
                // Windows from wide (the whole run and past it) to narrow (a few ns), with 1 to 300 buckets.
                var span = run.Horizon + 1;
                var from = random.Next(3) == 0 ? 0 : random.NextInt64(0, span);
                var width = random.Next(3) switch { 0 => random.NextInt64(1, 50), 1 => random.NextInt64(1, 5000), _ => random.NextInt64(1, span + 10_000) };
                var buckets = random.Next(3) switch { 0 => 1, 1 => random.Next(1, 20), _ => random.Next(1, 300) };
                if (grid > 1)
                {
                    // Edges on the grid: the width a whole number of grid steps per bucket.
                    from = from / grid * grid;
                    width = buckets * grid * random.NextInt64(1, 1 + (span / grid / buckets) + 1);
                }

                var window = index.Query(from, from + width, buckets, run.Horizon, maxEvents: 100);
                windows++;

                Assert.Equal(buckets, window.Buckets);
                for (var b = 0; b < buckets; b++)
                {
                    var lo = from + (long)((double)width * b / buckets);
                    var hi = b == buckets - 1 ? from + width : from + (long)((double)width * (b + 1) / buckets);
                    for (var a = 0; a < run.Lanes.Length; a++)
                    {
                        var bucket = window.Lanes[a].Buckets[b];
                        var expected = StateTimes(run, a, lo, hi);
                        Assert.True(expected == (bucket.Running, bucket.Blocked, bucket.Sleeping),
                            $"trial {trial}, lane {a}, bucket [{lo}, {hi}): expected {expected}, got ({bucket.Running}, {bucket.Blocked}, {bucket.Sleeping})");
                        Assert.Equal(Instants(run, a, lo, hi), bucket.Instants.ToDictionary());
                    }

                    Assert.Equal(Gauge(run, lo, hi), window.Gauges.Single().Buckets[b]);
                }

                // In time order; at one instant, lane by lane, each lane's in its own order.
                var all = run.Lanes.SelectMany(l => l).Where(e => run.Recorder.ToNanoseconds(e.Timestamp) >= from && run.Recorder.ToNanoseconds(e.Timestamp) < from + width)
                    .OrderBy(e => e.Timestamp).ThenBy(e => e.Actor).ToList();
                if (all.Count <= 100)
                {
                    Assert.NotNull(window.Events);
                    Assert.Equal(
                        all.Select(e => (run.Recorder.ToNanoseconds(e.Timestamp), e.Actor, e.Kind.Name(), e.Resource, e.Value, e.Level)),
                        window.Events.Select(e => (e.T, e.Actor, e.Kind, e.Resource, e.Value, e.Level)));
                }
                else
                {
                    Assert.Null(window.Events);
                }
            }
        }

        Assert.Equal(240, windows);
    }

    [Fact]
    public void A_lane_that_grows_between_queries_is_indexed_as_it_grows()
    {
        using var recorder = new EventRecorder(1, 100_000);
        var index = new TileIndex(recorder, [Depth]);
        var t0 = recorder.StartTimestamp;
        recorder[0].RecordAt(t0 + 100, EventKind.Start, null, 0, -1);
        recorder[0].RecordAt(t0 + 300, EventKind.Wait, "queue:empty", 0, 0);

        var early = index.Query(0, 1000, 1, horizon: 500, maxEvents: 10);
        Assert.Equal((200L, 200L), (early.Lanes[0].Buckets[0].Running, early.Lanes[0].Buckets[0].Blocked));

        // Several blocks' worth more, then the lane ends.
        for (var i = 0; i < 3 * TileIndex.BlockSize; i++)
        {
            recorder[0].RecordAt(t0 + 1000 + (10 * i), i % 2 == 0 ? EventKind.Get : EventKind.Wait, "queue", i, i % 4);
        }

        recorder[0].RecordAt(t0 + 5000, EventKind.End, null, 0, -1);
        var later = index.Query(0, 10_000, 2, horizon: 10_000, maxEvents: 10);

        var whole = later.Lanes[0].Buckets;
        // Nothing is counted after the lane is done, however far the horizon.
        Assert.Equal(4900, whole.Sum(b => b.Running + b.Blocked + b.Sleeping));
        Assert.Equal(3 * TileIndex.BlockSize / 2, whole.Sum(b => b.Instants.GetValueOrDefault("get")));
        Assert.Null(later.Events);
        Assert.Equal(3, later.Gauges[0].Buckets[0].Max);
    }

    [Fact]
    public void A_horizon_before_the_last_event_recorded_moves_to_it()
    {
        using var recorder = new EventRecorder(1, 100);
        var t0 = recorder.StartTimestamp;
        recorder[0].RecordAt(t0 + 100, EventKind.Start, null, 0, -1);
        recorder[0].RecordAt(t0 + 900, EventKind.Wait, "lock", 0, -1);
        var index = new TileIndex(recorder, []);

        // "Now" read a moment before the last event was indexed: the present is never before an event.
        var window = index.Query(0, 2000, 2, horizon: 500, maxEvents: 10);

        Assert.Equal(900, window.Horizon);
        Assert.Equal((800L, 0L), (window.Lanes[0].Buckets[0].Running, window.Lanes[0].Buckets[0].Blocked));
        Assert.Equal(0, window.Lanes[0].Buckets[1].Running + window.Lanes[0].Buckets[1].Blocked);
    }

    [Fact]
    public void A_window_before_anything_happened_is_empty_and_a_bad_window_is_refused()
    {
        using var recorder = new EventRecorder(2, 100);
        recorder[1].RecordAt(recorder.StartTimestamp + 10_000, EventKind.Start, null, 0, -1);
        var index = new TileIndex(recorder, [Depth]);

        var window = index.Query(0, 5_000, 10, horizon: 20_000, maxEvents: 10);

        Assert.All(window.Lanes.SelectMany(l => l.Buckets), b => Assert.Equal((0L, 0L, 0L, 0), (b.Running, b.Blocked, b.Sleeping, b.Instants.Count)));
        Assert.All(window.Gauges[0].Buckets, b => Assert.Equal(new GaugeBucket(null, null, null), b));
        Assert.Empty(window.Events!);
        Assert.Throws<ArgumentOutOfRangeException>(() => index.Query(10, 10, 1, 100, 10));
        Assert.Throws<ArgumentOutOfRangeException>(() => index.Query(-1, 10, 1, 100, 10));
        Assert.Throws<ArgumentOutOfRangeException>(() => index.Query(0, 10, 0, 100, 10));
    }
}
