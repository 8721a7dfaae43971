using System.Diagnostics;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Playground.Scenarios.Recording;
using Playground.Server.Storage;
using Playground.Shared.Events;

namespace Playground.Server.Tests;

/// <summary>A block's worth of events, as a generator makes them.</summary>
public sealed record AnyBlock(BlockEvent[] Events)
{
    public override string ToString() => $"{Events.Length} events: " + string.Join(", ", Events.Take(8));
}

public static class BlockArbitraries
{
    private static readonly long[] Extremes =
        [long.MinValue, long.MinValue + 1, long.MaxValue, long.MaxValue - 1, int.MinValue, int.MaxValue, (long)int.MaxValue + 1, -1, 0, 1, 127, 128, -64, -65];

    /// <summary>Any long, the extremes and the varint edges often.</summary>
    private static Gen<long> AnyLong => Gen.Frequency(
        (3, Gen.Elements(Extremes)),
        (3, ArbMap.Default.GeneratorFor<long>()),
        (4, Gen.Choose(-1000, 1000).Select(i => (long)i)));

    /// <summary>The next time: the same as before, a little later or earlier, or anywhere at all.</summary>
    private static Gen<Func<long, long>> NextTime => Gen.Frequency(
        (3, Gen.Constant<Func<long, long>>(t => t)),
        (4, Gen.Choose(0, 5_000_000).Select<int, Func<long, long>>(d => t => unchecked(t + d))),
        (2, Gen.Choose(-5_000_000, 0).Select<int, Func<long, long>>(d => t => unchecked(t + d))),
        (1, AnyLong.Select<long, Func<long, long>>(v => _ => v)));

    public static Arbitrary<AnyBlock> Blocks() =>
        Gen.Frequency(
                (8, Gen.Choose(0, 300)),
                (1, Gen.Constant(EventBlockCodec.EventsPerBlock)))
            .SelectMany(n => Gen.ArrayOf(Step, n))
            .Select(steps =>
            {
                // Times follow one another: each step says how the next relates to the previous.
                var events = new BlockEvent[steps.Length];
                var t = 0L;
                for (var i = 0; i < steps.Length; i++)
                {
                    t = steps[i].Next(t);
                    events[i] = steps[i].Event with { Ticks = t };
                }

                return new AnyBlock(events);
            })
            .ToArbitrary();

    private static Gen<(Func<long, long> Next, BlockEvent Event)> Step =>
        from next in NextTime
        from kind in Gen.Frequency((9, Gen.Choose(0, 15)), (1, Gen.Choose(0, 255)))
        from resource in Gen.Frequency((5, Gen.Choose(0, 6)), (1, Gen.Choose(0, int.MaxValue)))
        from value in Gen.Frequency((4, Gen.Choose(0, 200).Select(i => (long)i)), (3, AnyLong))
        from level in Gen.Frequency((4, Gen.Choose(-1, 20).Select(i => (long)i)), (1, AnyLong))
        select (next, new BlockEvent(0, (EventKind)kind, resource, value, level));
}

/// <summary>The block encoding of saved logs: exact round trips, whatever the events, and refusal of damaged blocks.</summary>
[Properties(Arbitrary = [typeof(BlockArbitraries)], MaxTest = 400)]
public sealed class EventBlockCodecTests
{
    [Property]
    public void Any_block_decodes_to_exactly_the_events_encoded(AnyBlock block)
    {
        var encoded = EventBlockCodec.Encode(block.Events);

        var decoded = EventBlockCodec.Decode(encoded, block.Events.Length);

        Assert.Equal(block.Events, decoded);
    }

    [Property]
    public void A_block_cut_short_or_read_for_another_count_is_refused(AnyBlock block)
    {
        var encoded = EventBlockCodec.Encode(block.Events);

        Assert.Throws<InvalidDataException>(() => EventBlockCodec.Decode(encoded.AsSpan(0, encoded.Length - 1), block.Events.Length));
        Assert.Throws<InvalidDataException>(() => EventBlockCodec.Decode(encoded, block.Events.Length + 1));
    }

    [Fact]
    public void Events_at_the_extremes_of_every_field_come_back_as_they_were()
    {
        BlockEvent[] events =
        [
            new(long.MaxValue, EventKind.Put, int.MaxValue, long.MinValue, long.MaxValue),
            new(long.MinValue, EventKind.Put, 0, long.MaxValue, long.MinValue),
            new(long.MinValue, EventKind.Mark, 1, 0, -1),
            new(0, (EventKind)255, 32767, -1, 0),
            new(0, EventKind.Start, 0, 0, -1),
            new(-1, EventKind.End, 0, long.MaxValue, long.MaxValue),
        ];

        Assert.Equal(events, EventBlockCodec.Decode(EventBlockCodec.Encode(events), events.Length));
    }

    [Fact]
    public void A_full_block_of_events_at_one_instant_is_a_few_bytes_an_event_at_most()
    {
        var events = Enumerable.Range(0, EventBlockCodec.EventsPerBlock)
            .Select(i => new BlockEvent(123_456_789, (EventKind)(i % 4), 1 + (i % 3), i / 2, i % 6)).ToArray();

        var encoded = EventBlockCodec.Encode(events);

        Assert.Equal(events, EventBlockCodec.Decode(encoded, events.Length));
        Assert.True(encoded.Length < events.Length, $"{encoded.Length} bytes for {events.Length} events");
    }

    [Fact]
    public void A_damaged_or_foreign_block_is_invalid_data_not_a_crash()
    {
        var encoded = EventBlockCodec.Encode([new(5, EventKind.Get, 2, 9, 1), new(7, EventKind.Put, 2, 10, 2)]);
        var wrongFormat = (byte[])encoded.Clone();
        wrongFormat[0] = 2;
        var hugeLength = new byte[] { 1, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F, 0 };
        var garbage = new byte[] { 1, 20, 1, 2, 3, 4, 5, 6, 7 };

        Assert.Throws<InvalidDataException>(() => EventBlockCodec.Decode(wrongFormat, 2));
        Assert.Throws<InvalidDataException>(() => EventBlockCodec.Decode(hugeLength, 2));
        Assert.Throws<InvalidDataException>(() => EventBlockCodec.Decode(garbage, 2));
        Assert.Throws<InvalidDataException>(() => EventBlockCodec.Decode([], 0));
        Assert.Throws<InvalidDataException>(() => EventBlockCodec.Decode(encoded, EventBlockCodec.EventsPerBlock + 1));
    }
}

/// <summary>A recorded log packed into blocks and restored into a recorder reads exactly as the original.</summary>
public sealed class RunLogBlocksTests
{
    [Fact]
    public void A_restored_log_reads_the_same_events_at_the_same_times_with_the_same_end()
    {
        var original = new EventRecorder(4, 1_000_000);
        var t0 = original.StartTimestamp;
        var random = new Random(7);
        // Actor 0 spans several chunks and blocks; actor 2 records nothing; actor 3 one event before time zero.
        var t = t0;
        for (var i = 0; i < 20_000; i++)
        {
            t += random.Next(0, 3) == 0 ? 0 : random.Next(1, 50_000);
            original[0].RecordAt(t, (EventKind)(i % 8), i % 5 == 0 ? null : "queue:" + (i % 3), i % 1000 == 0 ? long.MaxValue - i : i, (i % 7) - 1);
        }

        for (var i = 0; i < 300; i++)
        {
            original[1].RecordAt(t0 + (i * 1000), EventKind.Get, "queue", long.MinValue + i, i);
        }

        original[3].RecordAt(t0 - 5000, EventKind.Start, null, 0, -1);
        var end = t + 777;

        var packed = RunLogBlocks.Pack(original, end);
        var restored = RunLogBlocks.Restore(packed, out var restoredEnd);

        var before = original.Snapshot().Select(e => original.ToDto(e)).ToList();
        var after = restored.Snapshot().Select(e => restored.ToDto(e)).ToList();
        Assert.Equal(20_000 + 300 + 1, after.Count);
        Assert.Equal(before, after);
        Assert.Equal(original.ToNanoseconds(end), restored.ToNanoseconds(restoredEnd!.Value));
        Assert.Equal(4, restored.ActorCount);
        Assert.Equal(0, restored.Dropped);
        for (var r = 1; r <= original.Resources.Count; r++)
        {
            Assert.Equal(original.Resources.NameOf((ushort)r), restored.Resources.NameOf((ushort)r));
        }

        // Blocks of at most a block's events, several for the long lane, none for the silent one.
        Assert.All(packed.Blocks, b => Assert.InRange(b.Count, 1, EventBlockCodec.EventsPerBlock));
        Assert.Equal((20_000 + EventBlockCodec.EventsPerBlock - 1) / EventBlockCodec.EventsPerBlock, packed.Blocks.Count(b => b.Actor == 0));
        Assert.DoesNotContain(packed.Blocks, b => b.Actor == 2);
        Assert.Equal(Stopwatch.Frequency, packed.ClockFrequency);
    }

    [Fact]
    public void A_log_whose_blocks_do_not_add_up_is_refused()
    {
        var original = new EventRecorder(1, 100);
        original[0].RecordAt(original.StartTimestamp + 10, EventKind.Start, null, 0, -1);
        original[0].RecordAt(original.StartTimestamp + 20, EventKind.Put, "queue", 1, 1);
        var packed = RunLogBlocks.Pack(original, null);

        var lying = packed with { Blocks = [packed.Blocks[0] with { Count = 3 }] };
        var foreign = packed with { Blocks = [packed.Blocks[0] with { Actor = 4 }] };
        var unnamed = packed with { ResourceNames = [] };

        Assert.Throws<InvalidDataException>(() => RunLogBlocks.Restore(lying, out _));
        Assert.Throws<InvalidDataException>(() => RunLogBlocks.Restore(foreign, out _));
        Assert.Throws<InvalidDataException>(() => RunLogBlocks.Restore(unnamed, out _));
        Assert.Null(packed.HorizonTicks);
    }
}
