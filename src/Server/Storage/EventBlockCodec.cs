using System.Buffers;
using System.IO.Compression;
using Playground.Shared.Events;

namespace Playground.Server.Storage;

/// <summary>One event of an actor's log as a saved block holds it: its time relative to the run's start.</summary>
/// <param name="Ticks">Stopwatch ticks since the run's start (may be negative, may repeat).</param>
/// <param name="Resource">The resource's number in the run's name table; 0 for none.</param>
public readonly record struct BlockEvent(long Ticks, EventKind Kind, int Resource, long Value, long Level);

/// <summary>
/// Encodes a run of events of one actor into a compact block and back, exactly. The events are laid
/// out column by column — times as differences from the previous event, kinds, resource numbers,
/// values as differences from the previous value of the same kind (an item number climbs by one per
/// put), levels — each as a zigzag varint, and the whole is compressed with Brotli. Differences wrap
/// around, so any long (the extremes included) comes back as it went in.
/// </summary>
/// <remarks>
/// A block is <c>[format 1][varint length of the columns][Brotli of the columns]</c>; the columns
/// start with the varint count of events. A block that does not decode is an
/// <see cref="InvalidDataException"/>, never a larger allocation than its count allows.
/// </remarks>
public static class EventBlockCodec
{
    /// <summary>Events per block: a block is the unit written, read and decompressed at once.</summary>
    public const int EventsPerBlock = 8192;

    private const byte Format = 1;

    // A varint of a long takes at most 10 bytes; an event has four of them and a kind byte.
    private const int MaxBytesPerEvent = (4 * 10) + 1;

    // Brotli's quality 5 compresses these columns nearly as well as 11 in a fraction of the time.
    private const int Quality = 5;
    private const int Window = 22;

    public static byte[] Encode(ReadOnlySpan<BlockEvent> events)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(events.Length, EventsPerBlock, nameof(events));
        var bound = 10 + (events.Length * MaxBytesPerEvent);
        var raw = ArrayPool<byte>.Shared.Rent(bound);
        try
        {
            var length = WriteColumns(events, raw);
            var packed = ArrayPool<byte>.Shared.Rent(1 + 10 + BrotliEncoder.GetMaxCompressedLength(length));
            try
            {
                packed[0] = Format;
                var at = 1 + WriteVarint(packed.AsSpan(1), (ulong)length);
                if (!BrotliEncoder.TryCompress(raw.AsSpan(0, length), packed.AsSpan(at), out var written, Quality, Window))
                {
                    throw new InvalidOperationException("Brotli could not compress an event block into its maximum size.");
                }

                return packed.AsSpan(0, at + written).ToArray();
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(packed);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(raw);
        }
    }

    /// <summary>Decodes a block written by <see cref="Encode"/> that should hold <paramref name="expectedCount"/> events.</summary>
    public static BlockEvent[] Decode(ReadOnlySpan<byte> block, int expectedCount)
    {
        if (expectedCount is < 0 or > EventsPerBlock)
        {
            throw new InvalidDataException($"An event block cannot hold {expectedCount} events.");
        }

        if (block.Length < 2 || block[0] != Format)
        {
            throw new InvalidDataException("The event block has an unknown format.");
        }

        var at = 1;
        var length = ReadVarint(block, ref at);
        if (length > 10 + ((ulong)expectedCount * MaxBytesPerEvent))
        {
            throw new InvalidDataException("The event block says it is larger than its events can be.");
        }

        var raw = ArrayPool<byte>.Shared.Rent((int)length);
        try
        {
            if (!BrotliDecoder.TryDecompress(block[at..], raw.AsSpan(0, (int)length), out var written) || written != (int)length)
            {
                throw new InvalidDataException("The event block does not decompress to its stated length.");
            }

            return ReadColumns(raw.AsSpan(0, (int)length), expectedCount);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(raw);
        }
    }

    private static int WriteColumns(ReadOnlySpan<BlockEvent> events, Span<byte> output)
    {
        var at = WriteVarint(output, (ulong)events.Length);
        long previous = 0;
        foreach (var e in events)
        {
            at += WriteVarint(output[at..], ZigZag(unchecked(e.Ticks - previous)));
            previous = e.Ticks;
        }

        foreach (var e in events)
        {
            output[at++] = (byte)e.Kind;
        }

        foreach (var e in events)
        {
            at += WriteVarint(output[at..], (uint)e.Resource);
        }

        Span<long> lastValue = stackalloc long[256];
        lastValue.Clear();
        foreach (var e in events)
        {
            ref var last = ref lastValue[(byte)e.Kind];
            at += WriteVarint(output[at..], ZigZag(unchecked(e.Value - last)));
            last = e.Value;
        }

        foreach (var e in events)
        {
            at += WriteVarint(output[at..], ZigZag(e.Level));
        }

        return at;
    }

    private static BlockEvent[] ReadColumns(ReadOnlySpan<byte> input, int expectedCount)
    {
        var at = 0;
        var count = ReadVarint(input, ref at);
        if (count != (ulong)expectedCount)
        {
            throw new InvalidDataException($"The event block holds {count} events, not {expectedCount}.");
        }

        var n = expectedCount;
        var ticks = new long[n];
        long previous = 0;
        for (var i = 0; i < n; i++)
        {
            previous = unchecked(previous + UnZigZag(ReadVarint(input, ref at)));
            ticks[i] = previous;
        }

        if (input.Length - at < n)
        {
            throw new InvalidDataException("The event block ends early.");
        }

        var kinds = input.Slice(at, n);
        at += n;
        var resources = new int[n];
        for (var i = 0; i < n; i++)
        {
            var number = ReadVarint(input, ref at);
            if (number > int.MaxValue)
            {
                throw new InvalidDataException("The event block has a resource number out of range.");
            }

            resources[i] = (int)number;
        }

        var values = new long[n];
        Span<long> lastValue = stackalloc long[256];
        lastValue.Clear();
        for (var i = 0; i < n; i++)
        {
            ref var last = ref lastValue[kinds[i]];
            last = unchecked(last + UnZigZag(ReadVarint(input, ref at)));
            values[i] = last;
        }

        var events = new BlockEvent[n];
        for (var i = 0; i < n; i++)
        {
            events[i] = new BlockEvent(ticks[i], (EventKind)kinds[i], resources[i], values[i], UnZigZag(ReadVarint(input, ref at)));
        }

        if (at != input.Length)
        {
            throw new InvalidDataException("The event block has bytes after its last event.");
        }

        return events;
    }

    private static ulong ZigZag(long v) => (ulong)((v << 1) ^ (v >> 63));

    private static long UnZigZag(ulong v) => (long)(v >> 1) ^ -(long)(v & 1);

    private static int WriteVarint(Span<byte> output, ulong value)
    {
        var i = 0;
        while (value >= 0x80)
        {
            output[i++] = (byte)(value | 0x80);
            value >>= 7;
        }

        output[i++] = (byte)value;
        return i;
    }

    private static ulong ReadVarint(ReadOnlySpan<byte> input, ref int at)
    {
        ulong value = 0;
        for (var shift = 0; shift < 70; shift += 7)
        {
            if (at >= input.Length)
            {
                throw new InvalidDataException("The event block ends early.");
            }

            var b = input[at++];
            if (shift == 63 && b > 1)
            {
                throw new InvalidDataException("The event block has a number out of range.");
            }

            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return value;
            }
        }

        throw new InvalidDataException("The event block has a number out of range.");
    }
}
