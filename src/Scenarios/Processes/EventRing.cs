using System.Diagnostics;
using System.Text;
using Playground.Scenarios.Recording;
using Playground.Shared.Events;

namespace Playground.Scenarios.Processes;

/// <summary>
/// The events of one child process, in a ring in shared memory (<c>/dev/shm/pg-&lt;key&gt;-events-N</c>):
/// the child is its only writer and never waits for the reader; the server drains it every 8 ms.
/// Recording an event is a few stores into memory, not a system call (but for one that maps each
/// next 16 KB of the ring, about 25 µs, which may fall while the child holds a shared lock, as the
/// page faults it replaces did), so a child records as fast as a thread does and never does I/O
/// while it holds a shared lock. When the server falls a whole ring behind, new events are not
/// written but counted, and the count is read with the events: truncation is reported, never
/// silent, and never blocks the child.
/// </summary>
/// <remarks>
/// Layout: a 256-byte header (the writer's words and the reader's on separate cache lines), then
/// the names the child's events use (each a 2-byte length and its UTF-8 bytes, appended once and
/// referred to by offset), then <see cref="Records"/> records of 24 bytes: timestamp, value,
/// level (4 bytes), kind (1 byte) and the name's offset + 1 (3 bytes, 0 for none). A record
/// becomes visible when the writer publishes the count after it; the names it refers to are
/// published before it. A child that dies mid-record leaves that record unpublished and every
/// earlier one intact.
/// </remarks>
public static unsafe class EventRing
{
    /// <summary>Records in one child's ring: at a million events a second, a quarter of a second of the server being away.</summary>
    public const int Records = 1 << 18;

    /// <summary>Bytes for the names the child's events use; a name that does not fit is recorded without it.</summary>
    public const int NameBytes = 64 * 1024;

    /// <summary>Longest name kept, in UTF-8 bytes.</summary>
    public const int MaxNameBytes = 255;

    internal const long Magic = 0x47_4E_49_52_54_56_45_50; // "PEVTRING"
    internal const int HeaderBytes = 256;
    internal const int RecordBytes = 24;

    // Header words (longs). The writer's on the second cache line, the reader's on the third.
    internal const int WMagic = 0, WRecords = 1, WNameBytes = 2;
    internal const int WWritten = 8, WDropped = 9, WNamesUsed = 10;
    internal const int WRead = 16;

    /// <summary>
    /// Pages reserved when the ring is made (header, names and the first records), so a child that
    /// records little never touches a page /dev/shm might not have; the rest is taken as written.
    /// </summary>
    private const long ReservedBytes = HeaderBytes + NameBytes + (4096L * RecordBytes);

    public static string PathOf(string key, int sequence) =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture, $"/dev/shm/pg-{key}-events-{sequence}");

    internal static long SizeOf(int records) => HeaderBytes + NameBytes + ((long)records * RecordBytes);

    internal static SharedMapping CreateMapping(string path, int records)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(records, 1);
        if ((records & (records - 1)) != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(records), records, "the ring's size is a power of two");
        }

        var size = SizeOf(records);
        var mapping = SharedMapping.Create(path, size, Math.Min(size, ReservedBytes));
        var header = (long*)mapping.Pointer;
        header[WRecords] = records;
        header[WNameBytes] = NameBytes;
        Volatile.Write(ref header[WMagic], Magic);
        return mapping;
    }

    /// <summary>Removes a ring's file; nothing happens when it is already gone.</summary>
    public static void Unlink(string path) => SharedMapping.Remove(path);
}

/// <summary>
/// The child's side of its <see cref="EventRing"/>: the actor's recorder. Events are stamped and
/// written in one order under a lock (a child's actor may record from more than one thread), so the
/// ring's order is the order of their times.
/// </summary>
public sealed unsafe class EventRingWriter : IActorRecorder, IDisposable
{
    private readonly SharedMapping _mapping;
    private readonly long* _header;
    private readonly byte* _names;
    private readonly byte* _records;
    private readonly long _mask;
    private readonly long _size;
    private readonly int _nameBytes;
    private readonly object _gate = new();
    private readonly List<(string Name, int Reference)> _known = [];
    private string? _lastName;
    private int _lastReference;
    private long _written;
    private long _dropped;
    // The reader's position as last seen: read again only when the ring looks full.
    private long _readSeen;
    private int _namesUsed;
    private int _disposed;
    // Up to where (bytes from the start of the records area) this process has mapped the ring's
    // pages; long.MaxValue once there is nothing more to map, or mapping ahead failed or is not
    // offered by the kernel. And the end of the area.
    private long _mappedTo;
    private readonly long _recordsEnd;

    /// <summary>How much of the ring the writer maps at a time (<see cref="MapAhead"/>).</summary>
    private const int MapAheadBytes = 16 * 1024;

    private EventRingWriter(SharedMapping mapping, int actor)
    {
        _mapping = mapping;
        Actor = actor;
        _header = (long*)mapping.Pointer;
        if (Volatile.Read(ref _header[EventRing.WMagic]) != EventRing.Magic)
        {
            throw new InvalidDataException("not an event ring");
        }

        _size = _header[EventRing.WRecords];
        _mask = _size - 1;
        _nameBytes = (int)_header[EventRing.WNameBytes];
        _names = mapping.Pointer + EventRing.HeaderBytes;
        _records = _names + _nameBytes;
        _written = _header[EventRing.WWritten];
        _dropped = _header[EventRing.WDropped];
        _namesUsed = (int)_header[EventRing.WNamesUsed];
        _recordsEnd = _size * EventRing.RecordBytes;
        MapAhead((_written & _mask) * EventRing.RecordBytes);
    }

    /// <summary>Opens the ring the server made for this child.</summary>
    public static EventRingWriter Open(string path, int actor) => new(SharedMapping.Open(path), actor);

    public int Actor { get; }

    /// <summary>Events written so far.</summary>
    public long Written => Volatile.Read(ref _written);

    /// <summary>Events not written because the ring was full.</summary>
    public long Dropped => Volatile.Read(ref _dropped);

    public void Record(EventKind kind, string? resource = null, long value = 0, long level = -1)
    {
        lock (_gate)
        {
            var timestamp = Stopwatch.GetTimestamp();
            var n = _written;
            if (n - _readSeen >= _size)
            {
                _readSeen = Volatile.Read(ref _header[EventRing.WRead]);
                if (n - _readSeen >= _size)
                {
                    _dropped++;
                    Volatile.Write(ref _header[EventRing.WDropped], _dropped);
                    return;
                }
            }

            var offset = (n & _mask) * EventRing.RecordBytes;
            if (offset + EventRing.RecordBytes > _mappedTo)
            {
                MapAhead(offset);
            }

            var record = _records + offset;
            *(long*)record = timestamp;
            *(long*)(record + 8) = value;
            *(int*)(record + 16) = (int)Math.Clamp(level, int.MinValue, int.MaxValue);
            *(uint*)(record + 20) = (uint)(byte)kind | ((uint)Reference(resource) << 8);
            _written = n + 1;
            // Publishes the record (and any name it refers to) with a release store.
            Volatile.Write(ref _header[EventRing.WWritten], n + 1);
        }
    }

    /// <summary>
    /// Maps the ring's pages from the one holding byte <paramref name="offset"/> of the records
    /// area on for <see cref="MapAheadBytes"/> in one system call (MADV_POPULATE_WRITE). Left
    /// to itself, the writer takes a page fault for each new page, and on a virtual machine a
    /// fault is dear: on the 2-core VM of the speed benchmark, 12 µs a page faulted in against
    /// 6 µs mapped this way, and an event on a fresh page cost about 150 ns to write against 80
    /// on a page already mapped. A window of 16 KB keeps each call near 25 µs, since a record
    /// may be written under a shared lock. Once the mapping has reached the end of the area it
    /// is not called again: for a writer that began with its ring, every page has been mapped
    /// by then. A kernel without it (before 5.14) or a failure (a full /dev/shm) leaves the
    /// pages to be faulted in as they are written.
    /// </summary>
    private void MapAhead(long offset)
    {
        long page = Environment.SystemPageSize;
        var from = (long)(_records + offset) & ~(page - 1);
        var end = (long)(_records + _recordsEnd);
        var to = Math.Min(end, (from + MapAheadBytes + page - 1) & ~(page - 1));
        // At the end of the area every later record lands on a page already mapped; after a
        // failure the pages are left to be faulted in.
        var mapped = LibC.Madvise((void*)from, (nuint)(to - from), LibC.MADV_POPULATE_WRITE) == 0;
        _mappedTo = mapped && to < end ? to - (long)_records : long.MaxValue;
    }

    /// <summary>The name's offset + 1 in the names area, appending it the first time; 0 for none.</summary>
    private int Reference(string? name)
    {
        if (name is null)
        {
            return 0;
        }

        if (ReferenceEquals(name, _lastName))
        {
            return _lastReference;
        }

        var reference = 0;
        foreach (var (known, r) in _known)
        {
            if (ReferenceEquals(known, name) || known == name)
            {
                reference = r;
                break;
            }
        }

        if (reference == 0)
        {
            reference = Append(name);
            if (reference == 0)
            {
                // The names area is full: the event is kept, its name is not.
                return 0;
            }

            _known.Add((name, reference));
        }

        _lastName = name;
        _lastReference = reference;
        return reference;
    }

    private int Append(string name)
    {
        Span<byte> bytes = stackalloc byte[EventRing.MaxNameBytes];
        var length = Encoding.UTF8.GetBytes(name.AsSpan(0, Math.Min(name.Length, EventRing.MaxNameBytes / 3)), bytes);
        if (_namesUsed + 2 + length > _nameBytes)
        {
            return 0;
        }

        var at = _names + _namesUsed;
        *(ushort*)at = (ushort)length;
        bytes[..length].CopyTo(new Span<byte>(at + 2, length));
        var reference = _namesUsed + 1;
        _namesUsed += 2 + length;
        Volatile.Write(ref _header[EventRing.WNamesUsed], _namesUsed);
        return reference;
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _mapping.Dispose();
        }
    }
}

/// <summary>
/// The server's side of a child's <see cref="EventRing"/>: it made the ring and drains it into the
/// actor's log with the child's own timestamps (CLOCK_MONOTONIC, the server's clock too). One
/// thread drains at a time; the file is removed when the reader is disposed.
/// </summary>
public sealed unsafe class EventRingReader : IDisposable
{
    private readonly SharedMapping _mapping;
    private readonly long* _header;
    private readonly byte* _names;
    private readonly byte* _records;
    private readonly long _mask;
    private readonly int _nameBytes;
    private readonly Dictionary<int, string> _nameOf = [];
    private long _read;
    private long _droppedSeen;
    private int _disposed;

    private EventRingReader(string path, SharedMapping mapping)
    {
        Path = path;
        _mapping = mapping;
        _header = (long*)mapping.Pointer;
        _mask = _header[EventRing.WRecords] - 1;
        _nameBytes = (int)_header[EventRing.WNameBytes];
        _names = mapping.Pointer + EventRing.HeaderBytes;
        _records = _names + _nameBytes;
    }

    /// <summary>Makes a new ring at <paramref name="path"/> (which must not exist) for one child.</summary>
    public static EventRingReader Create(string path, int records = EventRing.Records) => new(path, EventRing.CreateMapping(path, records));

    /// <summary>Where the child opens it.</summary>
    public string Path { get; }

    /// <summary>Records drained so far.</summary>
    public long Read => _read;

    /// <summary>Events the child could not write because the ring was full, as of the last drain.</summary>
    public long Dropped => _droppedSeen;

    /// <summary>The first record's timestamp, null before one was drained.</summary>
    public long? FirstTimestamp { get; private set; }

    /// <summary>
    /// Moves every published record into <paramref name="log"/> and passes each to
    /// <paramref name="observe"/>; returns how many. A record the child could not have written
    /// (an unknown kind, a name outside what it published) is an <see cref="InvalidDataException"/>.
    /// </summary>
    public int Drain(ActorLog log, Action<RawEvent>? observe = null, int max = int.MaxValue)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        var written = Volatile.Read(ref _header[EventRing.WWritten]);
        var dropped = Volatile.Read(ref _header[EventRing.WDropped]);
        var end = Math.Min(written, _read + max);
        if (end - _read > _mask + 1 || end < _read)
        {
            throw new InvalidDataException($"the child's ring says {written} events were written, {_read} of them read");
        }

        var namesUsed = (int)Math.Min(Volatile.Read(ref _header[EventRing.WNamesUsed]), _nameBytes);
        var count = 0;
        for (var n = _read; n < end; n++)
        {
            var record = _records + ((n & _mask) * RecordBytes);
            var timestamp = *(long*)record;
            var value = *(long*)(record + 8);
            var level = *(int*)(record + 16);
            var tail = *(uint*)(record + 20);
            var kind = (EventKind)(byte)tail;
            if (!Enum.IsDefined(kind))
            {
                throw new InvalidDataException($"unknown event kind {(byte)tail} in a child's ring");
            }

            var name = NameAt((int)(tail >> 8), namesUsed);
            FirstTimestamp ??= timestamp;
            log.RecordAt(timestamp, kind, name, value, level);
            observe?.Invoke(new RawEvent(timestamp, log.Actor, kind, name, value, level));
            count++;
        }

        _read = end;
        // Frees the slots for the writer only now that they are copied out.
        Volatile.Write(ref _header[EventRing.WRead], end);
        if (end == written && dropped != _droppedSeen)
        {
            log.AddLost(dropped - _droppedSeen);
            _droppedSeen = dropped;
        }

        return count;
    }

    /// <summary>Records the child has published so far, drained or not.</summary>
    public long Published => Volatile.Read(ref _header[EventRing.WWritten]);

    private const int RecordBytes = EventRing.RecordBytes;

    private string? NameAt(int reference, int namesUsed)
    {
        if (reference == 0)
        {
            return null;
        }

        if (_nameOf.TryGetValue(reference, out var known))
        {
            return known;
        }

        var offset = reference - 1;
        if (offset + 2 > namesUsed)
        {
            throw new InvalidDataException("a child's event names a resource it never wrote");
        }

        int length = *(ushort*)(_names + offset);
        if (length > EventRing.MaxNameBytes || offset + 2 + length > namesUsed)
        {
            throw new InvalidDataException("a child's resource name runs past what it wrote");
        }

        var name = Encoding.UTF8.GetString(new ReadOnlySpan<byte>(_names + offset + 2, length));
        _nameOf[reference] = name;
        return name;
    }

    /// <summary>Unmaps the ring and removes its file.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _mapping.Dispose();
        EventRing.Unlink(Path);
    }
}
