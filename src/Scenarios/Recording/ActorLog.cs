using System.Buffers;
using System.Diagnostics;
using System.Runtime.InteropServices;
using Playground.Shared.Events;

namespace Playground.Scenarios.Recording;

/// <summary>
/// One actor's append-only event buffer. Only the actor's own thread writes; any thread may read
/// what has been published. The hot path takes no lock and allocates nothing: events go into
/// pooled chunks, and the count is published with a volatile write after the slot is filled.
/// An event is stored in 24 bytes: the actor is the log's own, the resource a number of the run's
/// <see cref="ResourceNames"/>, the level four bytes (a gauge's count).
/// </summary>
public sealed class ActorLog : IActorRecorder
{
    internal const int ChunkShift = 12;
    internal const int ChunkSize = 1 << ChunkShift;
    private const int ChunkMask = ChunkSize - 1;

    private readonly EventRecorder _owner;
    private readonly StoredEvent[]?[] _chunks;
    private StoredEvent[]? _current;
    // The last resource recorded and its number: an actor mostly names the same few, as the same strings.
    private string? _lastResource;
    private ushort _lastResourceNumber;
    private int _count;
    // The count at which the room reserved so far is used up.
    private int _limit;
    private long _dropped;
    private long _lastTimestamp;
    private int _lastKind = -1;

    internal ActorLog(EventRecorder owner, int actor, int maxChunks)
    {
        _owner = owner;
        Actor = actor;
        _chunks = new StoredEvent[]?[maxChunks];
    }

    public int Actor { get; }

    /// <summary>Events published so far.</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>Events this actor could not record because the run's cap was reached.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

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
        if (n == _limit && !Grow(n))
        {
            Interlocked.Increment(ref _dropped);
            return;
        }

        ushort number;
        if (ReferenceEquals(resource, _lastResource))
        {
            number = _lastResourceNumber;
        }
        else
        {
            number = _owner.Resources.NumberOf(resource);
            _lastResource = resource;
            _lastResourceNumber = number;
        }

        // Levels are counts (a queue's depth, tickets left): far inside four bytes.
        var stored = (int)Math.Clamp(level, int.MinValue, int.MaxValue);
        _current![n & ChunkMask] = new StoredEvent(timestamp, value, stored, number, kind);
        Volatile.Write(ref _count, n + 1);
    }

    /// <summary>Reserves room under the run's cap and, at a chunk boundary, rents the next chunk.</summary>
    private bool Grow(int n)
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
            return new RawEvent(e.Timestamp, Actor, e.Kind, _owner.Resources.NameOf(e.Resource), e.Value, e.Level);
        }
    }

    /// <summary>Only the time of published event <paramref name="index"/>: what a search by time needs.</summary>
    public long TimestampAt(int index) => Volatile.Read(ref _chunks[index >> ChunkShift])![index & ChunkMask].Timestamp;

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
        _count = 0;
        _limit = 0;
    }

    /// <summary>An event as the log keeps it: 24 bytes.</summary>
    [StructLayout(LayoutKind.Sequential, Pack = 4)]
    private readonly record struct StoredEvent(long Timestamp, long Value, int Level, ushort Resource, EventKind Kind);
}
