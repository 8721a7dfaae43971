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
        ArgumentOutOfRangeException.ThrowIfGreaterThan(gauges.Count, 64, nameof(gauges));
        _recorder = recorder;
        _gauges = gauges;
        _lanes = [.. Enumerable.Range(0, recorder.ActorCount).Select(a => new Lane(recorder[a], gauges.Count))];
    }

    // Which gauges each resource number feeds, one bit per gauge; grown as the run names resources.
    private ulong[] _gaugeMasks = [];

    private ulong[] GaugeMasks()
    {
        var names = _recorder.Resources;
        if (_gaugeMasks.Length <= names.Count)
        {
            var masks = new ulong[names.Count + 1];
            for (var r = 1; r < masks.Length; r++)
            {
                var name = names.NameOf((ushort)r);
                for (var g = 0; g < _gauges.Count; g++)
                {
                    if (_gauges[g].Matches(name))
                    {
                        masks[r] |= 1UL << g;
                    }
                }
            }

            _gaugeMasks = masks;
        }

        return _gaugeMasks;
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
                lane.CatchUp(_recorder, GaugeMasks);
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
            // Per lane, the index of its first event at or after each edge: where the gauges look.
            var firsts = new int[_lanes.Length][];
            Span<int> before = stackalloc int[KindCount];
            Span<int> after = stackalloc int[KindCount];
            for (var a = 0; a < _lanes.Length; a++)
            {
                // A caller that has gone away stops the work between lanes.
                cancellationToken.ThrowIfCancellationRequested();
                var lane = _lanes[a];
                var result = new LaneBucket[buckets];
                var first = firsts[a] = new int[buckets + 1];
                var previous = lane.At(_recorder, edges[0], horizon, before, out first[0]);
                for (var b = 0; b < buckets; b++)
                {
                    var next = lane.At(_recorder, edges[b + 1], horizon, after, out first[b + 1]);
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

            var masks = GaugeMasks();
            var gauges = new List<GaugeTiles>(_gauges.Count);
            for (var g = 0; g < _gauges.Count; g++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                gauges.Add(new GaugeTiles(_gauges[g].Id, GaugeBuckets(g, masks, edges, firsts)));
            }

            return new TileWindow(from, to, buckets, lanes, gauges, EventsIn(from, to, maxEvents), _recorder.Count, horizon);
        }
    }

    private static readonly IReadOnlyDictionary<string, int> Empty = new Dictionary<string, int>();

    /// <summary>
    /// The levels gauge <paramref name="g"/> took in each bucket: the one it held when the bucket
    /// began (unless a new one was set at that very instant), every one set inside, and the one it
    /// held at the end. A level holds until any lane sets the next, so the level held at a time is
    /// the latest reading before it across every lane.
    /// </summary>
    private GaugeBucket[] GaugeBuckets(int g, ulong[] masks, long[] edges, int[][] firsts)
    {
        var buckets = edges.Length - 1;
        // Per lane, its latest reading before each edge (an event index, or -1).
        var latest = new int[_lanes.Length][];
        for (var a = 0; a < _lanes.Length; a++)
        {
            var row = latest[a] = new int[buckets + 1];
            for (var b = 0; b <= buckets; b++)
            {
                // Neighbouring edges with no event between them (a zoomed-in window) share the answer.
                row[b] = b > 0 && firsts[a][b] == firsts[a][b - 1] ? row[b - 1] : _lanes[a].LastReadingBefore(g, masks, firsts[a][b]);
            }
        }

        var result = new GaugeBucket[buckets];
        for (var b = 0; b < buckets; b++)
        {
            long? min = null, max = null;
            (long T, long Level)? carried = null;
            (long T, long Level)? last = null;
            var setAtStart = false;
            for (var a = 0; a < _lanes.Length; a++)
            {
                var lane = _lanes[a];
                if (latest[a][b] >= 0 && lane.Reading(_recorder, latest[a][b]) is var held && (carried is null || held.T >= carried.Value.T))
                {
                    carried = held;
                }

                if (latest[a][b + 1] >= 0 && lane.Reading(_recorder, latest[a][b + 1]) is var end && (last is null || end.T >= last.Value.T))
                {
                    last = end;
                }

                if (lane.LevelRange(_recorder, g, masks, firsts[a][b], firsts[a][b + 1], edges[b]) is { } range)
                {
                    min = min is null ? range.Min : Math.Min(min.Value, range.Min);
                    max = max is null ? range.Max : Math.Max(max.Value, range.Max);
                    setAtStart |= range.SetAtStart;
                }
            }

            if (carried is { } before && !setAtStart)
            {
                min = min is null ? before.Level : Math.Min(min.Value, before.Level);
                max = max is null ? before.Level : Math.Max(max.Value, before.Level);
            }

            result[b] = new GaugeBucket(min, max, last?.Level);
        }

        return result;
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

    /// <summary>
    /// One lane's checkpoints: every <see cref="BlockSize"/> events, its state, time per state and
    /// instants so far, and for every gauge the range of levels the block sets and the lane's
    /// latest reading before it. Readings themselves stay in the log.
    /// </summary>
    private sealed class Lane(ActorLog log, int gaugeCount)
    {
        // Checkpoint c is taken just before event c × BlockSize: its time, the state the lane was in,
        // the ns spent in each state up to that time, and the instants of each kind before it.
        private readonly List<long> _time = [];
        private readonly List<LaneState> _state = [];
        private readonly List<StateTimes> _spent = [];
        private readonly List<int> _instants = [];
        // Per block and gauge (block × gaugeCount + g): the lowest and highest level the block's
        // readings set (min above max when it has none), and the latest reading before the block.
        private readonly List<int> _blockMin = [];
        private readonly List<int> _blockMax = [];
        private readonly List<int> _readingBefore = [];
        private readonly int[] _lastReading = [.. Enumerable.Repeat(-1, gaugeCount)];

        private int _indexed;
        private LaneState _current = LaneState.Idle;

        /// <summary>The time of the lane's last indexed event (0 before its first).</summary>
        public long LastEventTime { get; private set; }
        private long _since;
        private StateTimes _total;
        private readonly int[] _counts = new int[KindCount];

        /// <summary>Indexes the events the actor has published since the last call.</summary>
        public void CatchUp(EventRecorder recorder, Func<ulong[]> gaugeMasks)
        {
            var count = log.Count;
            var masks = gaugeMasks();
            for (var i = _indexed; i < count; i++)
            {
                var e = log.EntryAt(i);
                var t = recorder.ToNanoseconds(e.Timestamp);
                if (i % BlockSize == 0)
                {
                    _time.Add(t);
                    _state.Add(_current);
                    _spent.Add(Advance(_total, _current, t - _since));
                    _instants.AddRange(_counts);
                    for (var g = 0; g < gaugeCount; g++)
                    {
                        _blockMin.Add(int.MaxValue);
                        _blockMax.Add(int.MinValue);
                        _readingBefore.Add(_lastReading[g]);
                    }
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

                if (e.Level >= 0 && e.Resource != 0)
                {
                    if (e.Resource >= masks.Length)
                    {
                        // A name newer than the masks.
                        masks = gaugeMasks();
                    }

                    // Past the run's names (the overflow "…") no gauge is fed.
                    var fed = e.Resource < masks.Length ? masks[e.Resource] : 0;
                    var slot = (i / BlockSize * gaugeCount) - 1;
                    for (var bits = fed; bits != 0; bits &= bits - 1)
                    {
                        var g = System.Numerics.BitOperations.TrailingZeroCount(bits);
                        _blockMin[slot + 1 + g] = Math.Min(_blockMin[slot + 1 + g], e.Level);
                        _blockMax[slot + 1 + g] = Math.Max(_blockMax[slot + 1 + g], e.Level);
                        _lastReading[g] = i;
                    }
                }
            }

            if (count > _indexed)
            {
                LastEventTime = recorder.ToNanoseconds(log.TimestampAt(count - 1));
            }

            _indexed = count;
        }

        /// <summary>
        /// The lane's state times up to <paramref name="t"/> (no later than <paramref name="horizon"/>),
        /// in <paramref name="instants"/> its instants of each kind strictly before <paramref name="t"/>,
        /// and in <paramref name="first"/> the index of its first event at or after <paramref name="t"/>.
        /// </summary>
        public StateTimes At(EventRecorder recorder, long t, long horizon, Span<int> instants, out int first)
        {
            // The last checkpoint strictly before t: every event before it is older than t.
            var c = LastBefore(_time, t);
            if (c < 0)
            {
                instants.Clear();
                first = 0;
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
            var i = c * BlockSize;
            for (; i < end; i++)
            {
                var e = log.EntryAt(i);
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

            first = i;
            return Advance(spent, state, Math.Max(0, until - since));
        }

        /// <summary>True when event <paramref name="e"/> sets gauge <paramref name="g"/>.</summary>
        private static bool IsReading(LogEntry e, int g, ulong[] masks) =>
            e.Level >= 0 && e.Resource != 0 && e.Resource < masks.Length && (masks[e.Resource] & (1UL << g)) != 0;

        /// <summary>The index of the lane's latest reading of gauge <paramref name="g"/> before event <paramref name="index"/>, or -1.</summary>
        public int LastReadingBefore(int g, ulong[] masks, int index)
        {
            if (index <= 0)
            {
                return -1;
            }

            var block = (index - 1) / BlockSize;
            for (var i = index - 1; i >= block * BlockSize; i--)
            {
                if (IsReading(log.EntryAt(i), g, masks))
                {
                    return i;
                }
            }

            return _readingBefore[(block * gaugeCount) + g];
        }

        /// <summary>The time and level of reading <paramref name="index"/>.</summary>
        public (long T, long Level) Reading(EventRecorder recorder, int index)
        {
            var e = log.EntryAt(index);
            return (recorder.ToNanoseconds(e.Timestamp), e.Level);
        }

        /// <summary>
        /// The lowest and highest level gauge <paramref name="g"/> is set to by events [lo, hi), and
        /// whether one is set exactly at <paramref name="from"/>; null when none is: whole blocks
        /// from their ranges, the ends one by one.
        /// </summary>
        public (long Min, long Max, bool SetAtStart)? LevelRange(EventRecorder recorder, int g, ulong[] masks, int lo, int hi, long from)
        {
            long min = long.MaxValue, max = long.MinValue;
            var setAtStart = false;
            for (var i = lo; i < hi && !setAtStart; i++)
            {
                var e = log.EntryAt(i);
                if (recorder.ToNanoseconds(e.Timestamp) != from)
                {
                    break;
                }

                setAtStart = IsReading(e, g, masks);
            }

            var at = lo;
            while (at < hi)
            {
                if (at % BlockSize == 0 && at + BlockSize <= hi)
                {
                    var slot = (at / BlockSize * gaugeCount) + g;
                    min = Math.Min(min, _blockMin[slot]);
                    max = Math.Max(max, _blockMax[slot]);
                    at += BlockSize;
                }
                else
                {
                    var e = log.EntryAt(at);
                    if (IsReading(e, g, masks))
                    {
                        min = Math.Min(min, e.Level);
                        max = Math.Max(max, e.Level);
                    }

                    at++;
                }
            }

            return min <= max ? (min, max, setAtStart) : null;
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
}
