using Playground.Shared.Catalog;
using Playground.Shared.Events;
using Playground.Shared.Runs;

namespace Playground.Scenarios.Recording;

/// <summary>
/// A run's level-of-detail index: answers "what did every lane and gauge look like between t0 and
/// t1, in N buckets" from the recorded log, exactly, in time that grows with the buckets asked for
/// and not with the events in the window. It never copies the log: it keeps, every
/// <see cref="BlockSize"/> events of each lane, the time spent so far in each state and the
/// instants so far of each kind; any point in time is then a binary search and a scan of at most
/// one block. It is built as the log grows, on the first query after new events.
/// </summary>
/// <remarks>
/// Lane states follow <see cref="LaneStates"/> exactly as the summary does: nothing is counted
/// before a lane's first event or after it is done, and a lane that never ended holds its last
/// state until the horizon (the run's end, or now while it runs). Thread-safe.
/// </remarks>
public sealed class TileIndex
{
    /// <summary>Events of a lane between two checkpoints: the most a query scans at each bucket edge.</summary>
    public const int BlockSize = 64;

    private static readonly int KindCount = EventKinds.All.Count;
    // Instants are the kinds that mark a moment rather than set a state — and a crash, which does
    // both: it ends the lane, and it is what a learner must be able to find.
    private static readonly bool[] IsInstant = [.. Enumerable.Range(0, KindCount).Select(k => !LaneStates.IsStateKind((EventKind)k) || (EventKind)k == EventKind.Crash)];

    /// <summary>True for the kinds a bucket counts as instants.</summary>
    public static bool CountsAsInstant(EventKind kind) => IsInstant[(int)kind];

    private readonly object _gate = new();
    private readonly EventRecorder _recorder;
    private readonly IReadOnlyList<GaugeSpec> _gauges;
    private readonly Lane[] _lanes;

    public TileIndex(EventRecorder recorder, IReadOnlyList<GaugeSpec> gauges)
    {
        ArgumentNullException.ThrowIfNull(recorder);
        ArgumentNullException.ThrowIfNull(gauges);
        _recorder = recorder;
        _gauges = gauges;
        _lanes = [.. Enumerable.Range(0, recorder.ActorCount).Select(a => new Lane(recorder[a], gauges.Count))];
    }

    /// <summary>
    /// The window [<paramref name="from"/>, <paramref name="to"/>) in <paramref name="buckets"/>
    /// equal buckets (ns since the run's start); the raw events too when the window holds at most
    /// <paramref name="maxEvents"/>. Times past <paramref name="horizon"/> (the run's end, or now)
    /// hold no state.
    /// </summary>
    public TileWindow Query(long from, long to, int buckets, long horizon, int maxEvents, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(from);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(to, from);
        ArgumentOutOfRangeException.ThrowIfLessThan(buckets, 1);
        lock (_gate)
        {
            foreach (var lane in _lanes)
            {
                lane.CatchUp(_recorder, _gauges);
                // The present is never before an event already recorded.
                horizon = Math.Max(horizon, lane.LastEventTime);
            }

            var edges = new long[buckets + 1];
            for (var i = 0; i <= buckets; i++)
            {
                // Integer edges that split the window as evenly as ns allow; the last is exactly `to`.
                edges[i] = from + (long)((double)(to - from) * i / buckets);
            }

            edges[buckets] = to;
            var lanes = new List<LaneTiles>(_lanes.Length);
            Span<int> before = stackalloc int[KindCount];
            Span<int> after = stackalloc int[KindCount];
            for (var a = 0; a < _lanes.Length; a++)
            {
                // A caller that has gone away stops the work between lanes.
                cancellationToken.ThrowIfCancellationRequested();
                var lane = _lanes[a];
                var result = new LaneBucket[buckets];
                var previous = lane.At(_recorder, edges[0], horizon, before);
                for (var b = 0; b < buckets; b++)
                {
                    var next = lane.At(_recorder, edges[b + 1], horizon, after);
                    Dictionary<string, int>? instants = null;
                    for (var k = 0; k < KindCount; k++)
                    {
                        if (after[k] != before[k])
                        {
                            instants ??= new Dictionary<string, int>(StringComparer.Ordinal);
                            instants[EventKinds.All[k]] = after[k] - before[k];
                        }
                    }

                    result[b] = new LaneBucket(next.Running - previous.Running, next.Blocked - previous.Blocked, next.Sleeping - previous.Sleeping,
                        instants ?? Empty);
                    previous = next;
                    after.CopyTo(before);
                }

                lanes.Add(new LaneTiles(a, result));
            }

            var gauges = new List<GaugeTiles>(_gauges.Count);
            for (var g = 0; g < _gauges.Count; g++)
            {
                var result = new GaugeBucket[buckets];
                for (var b = 0; b < buckets; b++)
                {
                    result[b] = GaugeIn(g, edges[b], edges[b + 1]);
                }

                gauges.Add(new GaugeTiles(_gauges[g].Id, result));
            }

            return new TileWindow(from, to, buckets, lanes, gauges, EventsIn(from, to, maxEvents), _recorder.Count, horizon);
        }
    }

    private static readonly IReadOnlyDictionary<string, int> Empty = new Dictionary<string, int>();

    /// <summary>The levels gauge <paramref name="g"/> took in [from, to): the one it held at <paramref name="from"/>, every one set inside, and the one it held at the end.</summary>
    private GaugeBucket GaugeIn(int g, long from, long to)
    {
        long? min = null, max = null;
        // The latest reading before `from`, and the latest before `to`, across every lane.
        (long T, long Level)? carried = null;
        (long T, long Level)? last = null;
        var setAtStart = false;
        foreach (var lane in _lanes)
        {
            var readings = lane.Gauges[g];
            var lo = readings.FirstAtOrAfter(from);
            var hi = readings.FirstAtOrAfter(to);
            if (lo > 0 && (carried is null || readings.T[lo - 1] >= carried.Value.T))
            {
                carried = (readings.T[lo - 1], readings.Level[lo - 1]);
            }

            if (hi > 0 && (last is null || readings.T[hi - 1] >= last.Value.T))
            {
                last = (readings.T[hi - 1], readings.Level[hi - 1]);
            }

            if (lo < hi)
            {
                var (lower, upper) = readings.Range(lo, hi);
                min = min is null ? lower : Math.Min(min.Value, lower);
                max = max is null ? upper : Math.Max(max.Value, upper);
                setAtStart |= readings.T[lo] == from;
            }
        }

        // The level held when the bucket began counts, unless a new one was set at that very instant.
        if (carried is { } held && !setAtStart)
        {
            min = min is null ? held.Level : Math.Min(min.Value, held.Level);
            max = max is null ? held.Level : Math.Max(max.Value, held.Level);
        }

        return new GaugeBucket(min, max, last?.Level);
    }

    /// <summary>The window's raw events in time order, or null when there are more than <paramref name="maxEvents"/>.</summary>
    private List<RunEventDto>? EventsIn(long from, long to, int maxEvents)
    {
        var ranges = new (int Lo, int Hi)[_lanes.Length];
        long total = 0;
        for (var a = 0; a < _lanes.Length; a++)
        {
            ranges[a] = (_lanes[a].FirstEventAtOrAfter(_recorder, from), _lanes[a].FirstEventAtOrAfter(_recorder, to));
            total += ranges[a].Hi - ranges[a].Lo;
            if (total > maxEvents)
            {
                return null;
            }
        }

        var events = new List<RunEventDto>((int)total);
        for (var a = 0; a < _lanes.Length; a++)
        {
            for (var i = ranges[a].Lo; i < ranges[a].Hi; i++)
            {
                events.Add(_recorder.ToDto(_recorder[a][i]));
            }
        }

        // Stable: events of one instant keep their lanes' order.
        return [.. events.OrderBy(e => e.T)];
    }

    /// <summary>The index of the first of ascending <paramref name="times"/> at or after <paramref name="t"/> (their count when none).</summary>
    private static int FirstAtOrAfter(List<long> times, long t)
    {
        int lo = 0, hi = times.Count;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (times[mid] < t)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }

    /// <summary>Time spent in each state up to a point, in ns.</summary>
    private readonly record struct StateTimes(long Running, long Blocked, long Sleeping);

    /// <summary>One lane's checkpoints and its readings of every gauge.</summary>
    private sealed class Lane(ActorLog log, int gaugeCount)
    {
        // Checkpoint c is taken just before event c × BlockSize: its time, the state the lane was in,
        // the ns spent in each state up to that time, and the instants of each kind before it.
        private readonly List<long> _time = [];
        private readonly List<LaneState> _state = [];
        private readonly List<StateTimes> _spent = [];
        private readonly List<int> _instants = [];

        private int _indexed;
        private LaneState _current = LaneState.Idle;

        /// <summary>The time of the lane's last indexed event (0 before its first).</summary>
        public long LastEventTime { get; private set; }
        private long _since;
        private StateTimes _total;
        private readonly int[] _counts = new int[KindCount];

        public Readings[] Gauges { get; } = [.. Enumerable.Range(0, gaugeCount).Select(_ => new Readings())];

        /// <summary>Indexes the events the actor has published since the last call.</summary>
        public void CatchUp(EventRecorder recorder, IReadOnlyList<GaugeSpec> gauges)
        {
            var count = log.Count;
            for (var i = _indexed; i < count; i++)
            {
                var e = log[i];
                var t = recorder.ToNanoseconds(e.Timestamp);
                if (i % BlockSize == 0)
                {
                    _time.Add(t);
                    _state.Add(_current);
                    _spent.Add(Advance(_total, _current, t - _since));
                    _instants.AddRange(_counts);
                }

                var next = LaneStates.Next(_current, e.Kind);
                if (next != _current)
                {
                    _total = Advance(_total, _current, t - _since);
                    _since = t;
                    _current = next;
                }

                if (IsInstant[(int)e.Kind])
                {
                    _counts[(int)e.Kind]++;
                }

                if (e.Level >= 0 && e.Resource is { } resource)
                {
                    for (var g = 0; g < gauges.Count; g++)
                    {
                        if (gauges[g].Matches(resource))
                        {
                            Gauges[g].Add(t, e.Level);
                        }
                    }
                }
            }

            if (count > _indexed)
            {
                LastEventTime = recorder.ToNanoseconds(log[count - 1].Timestamp);
            }

            _indexed = count;
        }

        /// <summary>
        /// The lane's state times up to <paramref name="t"/> (no later than <paramref name="horizon"/>),
        /// and in <paramref name="instants"/> its instants of each kind strictly before <paramref name="t"/>.
        /// </summary>
        public StateTimes At(EventRecorder recorder, long t, long horizon, Span<int> instants)
        {
            // The last checkpoint strictly before t: every event before it is older than t.
            var c = LastBefore(_time, t);
            if (c < 0)
            {
                instants.Clear();
                return default;
            }

            var state = _state[c];
            var spent = _spent[c];
            var since = _time[c];
            for (var k = 0; k < KindCount; k++)
            {
                instants[k] = _instants[(c * KindCount) + k];
            }

            var until = Math.Min(t, horizon);
            var end = Math.Min(_indexed, (c + 1) * BlockSize);
            for (var i = c * BlockSize; i < end; i++)
            {
                var e = log[i];
                var et = recorder.ToNanoseconds(e.Timestamp);
                if (et >= t)
                {
                    break;
                }

                var next = LaneStates.Next(state, e.Kind);
                if (next != state)
                {
                    spent = Advance(spent, state, Math.Min(et, until) - Math.Min(since, until));
                    since = et;
                    state = next;
                }

                if (IsInstant[(int)e.Kind])
                {
                    instants[(int)e.Kind]++;
                }
            }

            return Advance(spent, state, Math.Max(0, until - since));
        }

        /// <summary>The index of the lane's first event at or after <paramref name="t"/> (its count when none).</summary>
        public int FirstEventAtOrAfter(EventRecorder recorder, long t)
        {
            int lo = 0, hi = _indexed;
            while (lo < hi)
            {
                var mid = (lo + hi) >>> 1;
                if (recorder.ToNanoseconds(log.TimestampAt(mid)) < t)
                {
                    lo = mid + 1;
                }
                else
                {
                    hi = mid;
                }
            }

            return lo;
        }

        private static StateTimes Advance(StateTimes times, LaneState state, long ns) => ns <= 0 ? times : state switch
        {
            LaneState.Running => times with { Running = times.Running + ns },
            LaneState.Blocked => times with { Blocked = times.Blocked + ns },
            LaneState.Sleeping => times with { Sleeping = times.Sleeping + ns },
            _ => times,
        };

        private static int LastBefore(List<long> times, long t) => FirstAtOrAfter(times, t) - 1;
    }

    /// <summary>One lane's readings of one gauge, in time order, with the lowest and highest level of every block of them.</summary>
    private sealed class Readings
    {
        public List<long> T { get; } = [];
        public List<long> Level { get; } = [];
        private readonly List<long> _blockMin = [];
        private readonly List<long> _blockMax = [];

        public void Add(long t, long level)
        {
            if (T.Count % BlockSize == 0)
            {
                _blockMin.Add(level);
                _blockMax.Add(level);
            }
            else
            {
                var b = _blockMin.Count - 1;
                _blockMin[b] = Math.Min(_blockMin[b], level);
                _blockMax[b] = Math.Max(_blockMax[b], level);
            }

            T.Add(t);
            Level.Add(level);
        }

        public int FirstAtOrAfter(long t) => TileIndex.FirstAtOrAfter(T, t);

        /// <summary>The lowest and highest level among readings [lo, hi): whole blocks from their extremes, the ends one by one.</summary>
        public (long Min, long Max) Range(int lo, int hi)
        {
            long min = long.MaxValue, max = long.MinValue;
            var i = lo;
            while (i < hi)
            {
                if (i % BlockSize == 0 && i + BlockSize <= hi)
                {
                    min = Math.Min(min, _blockMin[i / BlockSize]);
                    max = Math.Max(max, _blockMax[i / BlockSize]);
                    i += BlockSize;
                }
                else
                {
                    min = Math.Min(min, Level[i]);
                    max = Math.Max(max, Level[i]);
                    i++;
                }
            }

            return (min, max);
        }
    }
}
