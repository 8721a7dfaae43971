using System.Buffers;
using System.Diagnostics;
using System.Runtime.InteropServices;
using Playground.Shared.Events;

namespace Playground.Scenarios.Recording;

/// <summary>
/// One actor's append-only event buffer. Only the actor's own thread writes; any thread may read
/// what has been published. The hot path takes no lock and allocates nothing: events go into
/// pooled chunks, and the count is published with a volatile write after the slot is filled.
/// An event is stored in 16 bytes (<see cref="StoredEvent"/>): the actor is the log's own, the time
/// an offset from its chunk's first event, the resource a number of the run's
/// <see cref="ResourceNames"/>, the value and the level four bytes each; the rare value that does
/// not fit is kept aside.
/// </summary>
public sealed class ActorLog : IActorRecorder
{
    internal const int ChunkShift = 12;
    internal const int ChunkSize = 1 << ChunkShift;
    private const int ChunkMask = ChunkSize - 1;

    private readonly EventRecorder _owner;
    private readonly StoredEvent[]?[] _chunks;
    // The timestamp every offset of a chunk counts from: its first event's.
    private readonly long[] _bases;
    private StoredEvent[]? _current;
    private long _currentBase;
    // Values outside four bytes (rare: item numbers and exit codes fit), by event index.
    private System.Collections.Concurrent.ConcurrentDictionary<int, long>? _wideValues;
    // The resources recorded last and their numbers, latest first: an actor mostly names the same
    // few, as the same strings (a producer "make" and "queue" in turn), so most events skip the lookup.
    private RecentResources _recent;
    private int _count;
    // The count at which the room reserved so far is used up.
    private int _limit;
    private long _dropped;
    private long _lost;
    private long _lastTimestamp;
    private int _lastKind = -1;

    internal ActorLog(EventRecorder owner, int actor, int maxChunks)
    {
        _owner = owner;
        Actor = actor;
        _chunks = new StoredEvent[]?[maxChunks];
        _bases = new long[maxChunks];
    }

    public int Actor { get; }

    /// <summary>Events published so far.</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>Events of this actor that are not in the log: over the run's cap, or <see cref="Lost"/>.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>
    /// Events of this actor's child that never reached the log because the server fell a whole
    /// event ring behind (counted in <see cref="Dropped"/> too).
    /// </summary>
    public long Lost => Interlocked.Read(ref _lost);

    /// <summary>Counts events of this actor's child lost before they reached the log (its event ring was full).</summary>
    internal void AddLost(long count)
    {
        Interlocked.Add(ref _lost, count);
        Interlocked.Add(ref _dropped, count);
    }

    /// <summary>
    /// When the actor last recorded anything (kept or dropped by the cap), on <see cref="Stopwatch"/>'s
    /// clock; 0 before its first event. The run's watchdog reads it to spot an actor that stopped.
    /// </summary>
    public long LastTimestamp => Volatile.Read(ref _lastTimestamp);

    /// <summary>The kind of the actor's latest event (kept or dropped), or null before its first.</summary>
    public EventKind? LastKind => Volatile.Read(ref _lastKind) is var k and >= 0 ? (EventKind)k : null;

    /// <summary>Records an event now. Called only from the actor's own thread.</summary>
    public void Record(EventKind kind, string? resource = null, long value = 0, long level = -1) =>
        RecordAt(Stopwatch.GetTimestamp(), kind, resource, value, level);

    /// <summary>
    /// Records an event that happened at <paramref name="timestamp"/> (a child process's frame).
    /// Called only from the single thread that writes this log.
    /// </summary>
    public void RecordAt(long timestamp, EventKind kind, string? resource, long value, long level)
    {
        Volatile.Write(ref _lastKind, (int)kind);
        Volatile.Write(ref _lastTimestamp, timestamp);
        var n = _count;
        if (n == _limit && !Grow(n, timestamp))
        {
            Interlocked.Increment(ref _dropped);
            return;
        }

        var number = resource is null ? (ushort)0 : _recent.NumberOf(resource, _owner.Resources);

        // Levels are counts (a queue's depth, tickets left): far inside four bytes.
        var storedLevel = (int)Math.Clamp(level, int.MinValue, int.MaxValue);
        int storedValue;
        if (value is > int.MinValue and <= int.MaxValue)
        {
            storedValue = (int)value;
        }
        else
        {
            storedValue = WideValue;
            (_wideValues ??= new()).TryAdd(n, value);
        }

        _current![n & ChunkMask] = new StoredEvent(StoredEvent.Pack(timestamp - _currentBase, number, kind), storedValue, storedLevel);
        Volatile.Write(ref _count, n + 1);
    }

    /// <summary>The stored value of an event whose value is kept aside.</summary>
    private const int WideValue = int.MinValue;

    /// <summary>Reserves room under the run's cap and, at a chunk boundary, rents the next chunk, whose times count from <paramref name="timestamp"/>.</summary>
    private bool Grow(int n, long timestamp)
    {
        var offset = n & ChunkMask;
        var index = n >> ChunkShift;
        if (offset == 0 && index >= _chunks.Length)
        {
            return false;
        }

        var granted = _owner.Reserve(ChunkSize - offset);
        if (granted == 0)
        {
            return false;
        }

        if (offset == 0)
        {
            var chunk = ArrayPool<StoredEvent>.Shared.Rent(ChunkSize);
            _bases[index] = timestamp;
            _currentBase = timestamp;
            Volatile.Write(ref _chunks[index], chunk);
            _current = chunk;
        }

        _limit = n + granted;
        return true;
    }

    /// <summary>Reads published event <paramref name="index"/> (index below <see cref="Count"/>).</summary>
    public RawEvent this[int index]
    {
        get
        {
            var e = Volatile.Read(ref _chunks[index >> ChunkShift])![index & ChunkMask];
            var value = e.Value == WideValue && _wideValues is { } wide && wide.TryGetValue(index, out var kept) ? kept : e.Value;
            return new RawEvent(_bases[index >> ChunkShift] + e.Offset, Actor, e.Kind, _owner.Resources.NameOf(e.Resource), value, e.Level);
        }
    }

    /// <summary>Only the time of published event <paramref name="index"/>: what a search by time needs.</summary>
    public long TimestampAt(int index) =>
        _bases[index >> ChunkShift] + Volatile.Read(ref _chunks[index >> ChunkShift])![index & ChunkMask].Offset;

    /// <summary>Published event <paramref name="index"/> as stored, its resource by number: what a scan of the log needs.</summary>
    internal LogEntry EntryAt(int index)
    {
        var e = Volatile.Read(ref _chunks[index >> ChunkShift])![index & ChunkMask];
        return new LogEntry(_bases[index >> ChunkShift] + e.Offset, e.Kind, e.Resource, e.Level);
    }

    /// <summary>Returns the chunks to the pool; the log must not be used afterwards.</summary>
    internal void Release()
    {
        for (var i = 0; i < _chunks.Length; i++)
        {
            var chunk = Interlocked.Exchange(ref _chunks[i], null);
            if (chunk is not null)
            {
                ArrayPool<StoredEvent>.Shared.Return(chunk, clearArray: true);
            }
        }

        _current = null;
        _wideValues = null;
        _count = 0;
        _limit = 0;
    }

    /// <summary>
    /// An event as the log keeps it, in 16 bytes: one word holds the time (a signed 44-bit offset
    /// from the chunk's first event, so ±2.4 hours at a nanosecond clock), the kind (5 bits) and
    /// the resource's number (15 bits); then the value and the level.
    /// </summary>
    [StructLayout(LayoutKind.Sequential, Pack = 4)]
    private readonly record struct StoredEvent(long Word, int Value, int Level)
    {
        private const int KindBits = 5;
        private const int ResourceBits = 15;
        private const int TimeShift = KindBits + ResourceBits;
        private const long MaxOffset = (1L << (63 - TimeShift)) - 1;

        public long Offset => Word >> TimeShift;

        public EventKind Kind => (EventKind)((Word >> ResourceBits) & ((1 << KindBits) - 1));

        public ushort Resource => (ushort)(Word & ((1 << ResourceBits) - 1));

        public static long Pack(long offset, ushort resource, EventKind kind) =>
            (Math.Clamp(offset, -MaxOffset - 1, MaxOffset) << TimeShift) | ((long)kind << ResourceBits) | resource;
    }
}

/// <summary>The last four resources an actor recorded and their numbers, latest first; only its own thread uses it.</summary>
internal struct RecentResources
{
    private string? _name0, _name1, _name2, _name3;
    private ushort _number0, _number1, _number2, _number3;

    public ushort NumberOf(string resource, ResourceNames names)
    {
        if (ReferenceEquals(resource, _name0))
        {
            return _number0;
        }

        if (ReferenceEquals(resource, _name1))
        {
            return _number1;
        }

        if (ReferenceEquals(resource, _name2))
        {
            return _number2;
        }

        if (ReferenceEquals(resource, _name3))
        {
            return _number3;
        }

        var number = names.NumberOf(resource);
        (_name3, _number3) = (_name2, _number2);
        (_name2, _number2) = (_name1, _number1);
        (_name1, _number1) = (_name0, _number0);
        (_name0, _number0) = (resource, number);
        return number;
    }
}

/// <summary>An event as the log stores it, its resource by number in the run's <see cref="ResourceNames"/>.</summary>
internal readonly record struct LogEntry(long Timestamp, EventKind Kind, ushort Resource, int Level);
