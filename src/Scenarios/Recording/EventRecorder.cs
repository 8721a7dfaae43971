using System.Diagnostics;
using Playground.Shared.Events;

namespace Playground.Scenarios.Recording;

/// <summary>
/// A run's event log: one <see cref="ActorLog"/> per actor, a shared cap on the total, and the
/// run's start on the monotonic clock. Reading merges the actors' logs by timestamp.
/// </summary>
public sealed class EventRecorder : IDisposable
{
    private readonly ActorLog[] _actors;
    private readonly long _capacity;
    private long _reserved;
    private int _released;

    public EventRecorder(int actorCount, long maxEvents)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(actorCount, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxEvents, 1);
        _capacity = maxEvents;
        var maxChunks = (int)Math.Min(int.MaxValue, (maxEvents + ActorLog.ChunkSize - 1) / ActorLog.ChunkSize);
        _actors = new ActorLog[actorCount];
        for (var i = 0; i < actorCount; i++)
        {
            _actors[i] = new ActorLog(this, i, maxChunks);
        }

        StartTimestamp = Stopwatch.GetTimestamp();
    }

    /// <summary>
    /// The smallest cap under which logs of these lengths are all kept whole, for a log read back
    /// from storage: each actor reserves room under the cap a chunk at a time.
    /// </summary>
    public static long CapacityFor(IEnumerable<long> eventsPerActor)
    {
        ArgumentNullException.ThrowIfNull(eventsPerActor);
        long total = 0;
        foreach (var count in eventsPerActor)
        {
            total += (count + ActorLog.ChunkSize - 1) / ActorLog.ChunkSize * ActorLog.ChunkSize;
        }

        return Math.Max(1, total);
    }

    /// <summary>The run's time zero on <see cref="Stopwatch"/>'s clock (CLOCK_MONOTONIC on Linux).</summary>
    public long StartTimestamp { get; private set; }

    public long MaxEvents => _capacity;

    /// <summary>The run's resource names, each kept once for all its actors.</summary>
    public ResourceNames Resources { get; } = new();

    public int ActorCount => _actors.Length;

    public ActorLog this[int actor] => _actors[actor];

    /// <summary>Sets time zero to now; call just before the actors start.</summary>
    public void MarkStart() => StartTimestamp = Stopwatch.GetTimestamp();

    /// <summary>Events recorded so far, all actors.</summary>
    public long Count
    {
        get
        {
            long n = 0;
            foreach (var a in _actors)
            {
                n += a.Count;
            }

            return n;
        }
    }

    /// <summary>Events that were not recorded: over the cap, or <see cref="Lost"/> on the way from a child.</summary>
    public long Dropped
    {
        get
        {
            long n = 0;
            foreach (var a in _actors)
            {
                n += a.Dropped;
            }

            return n;
        }
    }

    /// <summary>Events children recorded that never reached the log because the server fell a whole event ring behind.</summary>
    public long Lost
    {
        get
        {
            long n = 0;
            foreach (var a in _actors)
            {
                n += a.Lost;
            }

            return n;
        }
    }

    /// <summary>
    /// Reserves room for up to <paramref name="size"/> events and returns how many were granted:
    /// all of them while the cap allows, the remainder for the reservation that reaches the cap,
    /// then 0.
    /// </summary>
    internal int Reserve(int size)
    {
        // Chunks are reserved whole, except the last one, which is cut short by the cap so the
        // log keeps exactly up to the cap; the actor checks its limit only when a chunk runs out.
        var after = Interlocked.Add(ref _reserved, size);
        if (after <= _capacity)
        {
            return size;
        }

        var granted = (int)Math.Max(0, size - (after - _capacity));
        Interlocked.Add(ref _reserved, granted - size);
        return granted;
    }

    /// <summary>Nanoseconds since the run's start for a raw timestamp.</summary>
    public long ToNanoseconds(long timestamp)
    {
        var ticks = timestamp - StartTimestamp;
        return Stopwatch.Frequency == 1_000_000_000
            ? ticks
            : (long)(ticks * (1_000_000_000.0 / Stopwatch.Frequency));
    }

    public RunEventDto ToDto(in RawEvent e) =>
        new(ToNanoseconds(e.Timestamp), e.Actor, e.Kind.Name(), e.Resource, e.Value, e.Level);

    /// <summary>
    /// Reads every event published after <paramref name="cursors"/> (one per actor, advanced in
    /// place), merged by timestamp. Pass a fresh array of zeros to read from the start.
    /// </summary>
    public List<RawEvent> ReadNew(int[] cursors, int maxEvents = int.MaxValue) => Read(cursors, null, maxEvents);

    /// <summary>
    /// Like <see cref="ReadNew(int[], int)"/>, but stops at <paramref name="ends"/> (a cut from
    /// <see cref="Counts"/>), so what is read is exactly what was there at one moment.
    /// </summary>
    public List<RawEvent> ReadNew(int[] cursors, int[] ends, int maxEvents)
    {
        ArgumentNullException.ThrowIfNull(ends);
        if (ends.Length != _actors.Length)
        {
            throw new ArgumentException("One count per actor is needed.", nameof(ends));
        }

        return Read(cursors, ends, maxEvents);
    }

    /// <summary>
    /// How many events each actor has published now, one count per actor: a cut of the log that a
    /// later read can stop at (<see cref="Enumerate"/>), so it reads exactly what was there at one moment.
    /// </summary>
    public int[] Counts()
    {
        var counts = new int[_actors.Length];
        for (var a = 0; a < counts.Length; a++)
        {
            counts[a] = _actors[a].Count;
        }

        return counts;
    }

    private List<RawEvent> Read(int[] cursors, int[]? limits, int maxEvents)
    {
        ArgumentNullException.ThrowIfNull(cursors);
        var k = _actors.Length;
        var ends = k <= 64 ? stackalloc int[k] : new int[k];
        var heads = k <= 64 ? stackalloc long[k] : new long[k];
        long total = 0;
        for (var a = 0; a < k; a++)
        {
            ends[a] = limits is null ? _actors[a].Count : Math.Min(limits[a], _actors[a].Count);
            total += ends[a] - cursors[a];
            heads[a] = cursors[a] < ends[a] ? _actors[a].TimestampAt(cursors[a]) : long.MaxValue;
        }

        var result = new List<RawEvent>((int)Math.Min(total, maxEvents));
        // A k-way merge: each actor's log is already in time order (one writer, one monotonic clock).
        while (result.Count < maxEvents)
        {
            var best = -1;
            var bestTs = long.MaxValue;
            for (var a = 0; a < k; a++)
            {
                if (heads[a] < bestTs)
                {
                    bestTs = heads[a];
                    best = a;
                }
            }

            if (best < 0)
            {
                break;
            }

            var log = _actors[best];
            var i = cursors[best];
            result.Add(log[i]);
            cursors[best] = ++i;
            heads[best] = i < ends[best] ? log.TimestampAt(i) : long.MaxValue;
        }

        return result;
    }

    /// <summary>Events not yet read past <paramref name="cursors"/> (up to <paramref name="ends"/> when given).</summary>
    public long Pending(int[] cursors, int[]? ends = null)
    {
        ArgumentNullException.ThrowIfNull(cursors);
        long n = 0;
        for (var a = 0; a < _actors.Length; a++)
        {
            n += Math.Max(0, (ends is null ? _actors[a].Count : Math.Min(ends[a], _actors[a].Count)) - cursors[a]);
        }

        return n;
    }

    /// <summary>
    /// The whole log so far — or, given <paramref name="ends"/> from <see cref="Counts"/>, the log up
    /// to that cut — merged by timestamp, read lazily in slices so a large log can be streamed to a
    /// client without a copy of it in memory.
    /// </summary>
    public IEnumerable<RawEvent> Enumerate(int[]? ends = null, int slice = 8192)
    {
        if (ends is not null && ends.Length != _actors.Length)
        {
            throw new ArgumentException("One count per actor is needed.", nameof(ends));
        }

        return EnumerateCore(ends, slice);
    }

    private IEnumerable<RawEvent> EnumerateCore(int[]? ends, int slice)
    {
        var cursors = new int[_actors.Length];
        while (true)
        {
            var batch = Read(cursors, ends, slice);
            if (batch.Count == 0)
            {
                yield break;
            }

            foreach (var e in batch)
            {
                yield return e;
            }
        }
    }

    /// <summary>The whole log so far, merged by timestamp.</summary>
    public List<RawEvent> Snapshot() => ReadNew(new int[_actors.Length]);

    /// <summary>Returns the buffers to the pool; the recorder must not be read afterwards.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _released, 1) != 0)
        {
            return;
        }

        foreach (var a in _actors)
        {
            a.Release();
        }
    }
}
