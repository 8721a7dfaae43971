using System.Buffers.Binary;
using System.Diagnostics;
using System.Text;
using Playground.Scenarios.Recording;
using Playground.Shared.Events;

namespace Playground.Scenarios.Processes;

/// <summary>
/// The binary frame a child writes to stdout for each event:
/// kind (1 byte), resource length (1), timestamp (8), value (8), level (8), resource (UTF-8).
/// Timestamps are the child's <see cref="Stopwatch.GetTimestamp"/>: CLOCK_MONOTONIC, the same
/// clock as the server's, so lanes of different processes line up.
/// </summary>
public static class EventFrames
{
    public const int HeaderSize = 26;
    public const int MaxResourceBytes = 255;
}

/// <summary>The child's recorder: each event becomes a frame on its stdout, flushed at once.</summary>
public sealed class FrameWriter : IActorRecorder, IDisposable
{
    private readonly Stream _out;
    private readonly byte[] _buffer = new byte[EventFrames.HeaderSize + EventFrames.MaxResourceBytes];
    private readonly object _gate = new();

    public FrameWriter(Stream output, int actor)
    {
        _out = output;
        Actor = actor;
    }

    public int Actor { get; }

    public void Record(EventKind kind, string? resource = null, long value = 0, long level = -1)
    {
        var timestamp = Stopwatch.GetTimestamp();
        lock (_gate)
        {
            var span = _buffer.AsSpan();
            var length = 0;
            if (resource is not null)
            {
                var max = Math.Min(resource.Length, EventFrames.MaxResourceBytes / 3);
                length = Encoding.UTF8.GetBytes(resource.AsSpan(0, max), span[EventFrames.HeaderSize..]);
            }

            span[0] = (byte)kind;
            span[1] = (byte)length;
            BinaryPrimitives.WriteInt64LittleEndian(span[2..], timestamp);
            BinaryPrimitives.WriteInt64LittleEndian(span[10..], value);
            BinaryPrimitives.WriteInt64LittleEndian(span[18..], level);
            _out.Write(span[..(EventFrames.HeaderSize + length)]);
            // Flushed per event so the live view sees a child block the moment it does.
            _out.Flush();
        }
    }

    public void Dispose() => _out.Flush();
}

/// <summary>
/// The server's side of one child's pipe: reads frames until end of stream and records them into
/// the actor's log, with the child's own timestamps. Resource names are interned per reader.
/// </summary>
public sealed class FrameReader
{
    private readonly Stream _in;
    // A run has a handful of resource names; a short list beats hashing.
    private readonly List<(byte[] Bytes, string Text)> _resources = [];

    public FrameReader(Stream input) => _in = input;

    /// <summary>Frames read so far.</summary>
    public long Frames { get; private set; }

    /// <summary>Timestamp of the first frame, or null before one arrived.</summary>
    public long? FirstTimestamp { get; private set; }

    /// <summary>Reads to the end of the stream; a torn last frame (the child died mid-write) is ignored.</summary>
    public void Pump(ActorLog log, Action<RawEvent>? observe = null)
    {
        var header = new byte[EventFrames.HeaderSize];
        var resource = new byte[EventFrames.MaxResourceBytes];
        while (ReadExactly(header))
        {
            var kind = (EventKind)header[0];
            int length = header[1];
            var timestamp = BinaryPrimitives.ReadInt64LittleEndian(header.AsSpan(2));
            var value = BinaryPrimitives.ReadInt64LittleEndian(header.AsSpan(10));
            var level = BinaryPrimitives.ReadInt64LittleEndian(header.AsSpan(18));
            if (length > 0 && !ReadExactly(resource.AsSpan(0, length)))
            {
                return;
            }

            if (!Enum.IsDefined(kind))
            {
                throw new InvalidDataException($"unknown event kind {(int)kind} in a child's frame");
            }

            FirstTimestamp ??= timestamp;
            Frames++;
            var name = length == 0 ? null : Intern(resource.AsSpan(0, length));
            log.RecordAt(timestamp, kind, name, value, level);
            observe?.Invoke(new RawEvent(timestamp, log.Actor, kind, name, value, level));
        }
    }

    private string Intern(ReadOnlySpan<byte> bytes)
    {
        foreach (var (known, text) in _resources)
        {
            if (bytes.SequenceEqual(known))
            {
                return text;
            }
        }

        var s = Encoding.UTF8.GetString(bytes);
        _resources.Add((bytes.ToArray(), s));
        return s;
    }

    private bool ReadExactly(Span<byte> buffer)
    {
        var read = 0;
        while (read < buffer.Length)
        {
            var n = _in.Read(buffer[read..]);
            if (n == 0)
            {
                return false;
            }

            read += n;
        }

        return true;
    }
}
