using System.Diagnostics;
using Playground.Scenarios.Recording;

namespace Playground.Server.Storage;

/// <summary>
/// Turns a run's recorded log into saved blocks and back into a recorder that reads exactly the
/// same: every event at the same time since the run's start, on the same lane, with the same kind,
/// resource, value and level, in the same order.
/// </summary>
public static class RunLogBlocks
{
    /// <summary>Encodes every event of <paramref name="recorder"/>; <paramref name="endTimestamp"/> is where the run ended on its clock.</summary>
    public static ArchivedLog Pack(EventRecorder recorder, long? endTimestamp)
    {
        ArgumentNullException.ThrowIfNull(recorder);
        var start = recorder.StartTimestamp;
        // The run's names in their own numbering, so a restored log numbers them the same way.
        var names = new List<string>();
        var numbers = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var n = 1; n <= recorder.Resources.Count; n++)
        {
            var name = recorder.Resources.NameOf((ushort)n) ?? "";
            names.Add(name);
            numbers.TryAdd(name, n);
        }

        var blocks = new List<EventBlock>();
        var buffer = new BlockEvent[EventBlockCodec.EventsPerBlock];
        for (var a = 0; a < recorder.ActorCount; a++)
        {
            var log = recorder[a];
            var count = log.Count;
            for (int from = 0, index = 0; from < count; from += buffer.Length, index++)
            {
                var size = Math.Min(buffer.Length, count - from);
                for (var i = 0; i < size; i++)
                {
                    var e = log[from + i];
                    int resource;
                    if (e.Resource is null)
                    {
                        resource = 0;
                    }
                    else if (!numbers.TryGetValue(e.Resource, out resource))
                    {
                        // A name read back as a stand-in (past the run's name cap): kept as a name of its own.
                        names.Add(e.Resource);
                        resource = names.Count;
                        numbers[e.Resource] = resource;
                    }

                    buffer[i] = new BlockEvent(e.Timestamp - start, e.Kind, resource, e.Value, e.Level);
                }

                var events = buffer.AsSpan(0, size);
                blocks.Add(new EventBlock(a, index, size, events[0].Ticks, events[^1].Ticks, EventBlockCodec.Encode(events)));
            }
        }

        return new ArchivedLog(Stopwatch.Frequency, endTimestamp - start, recorder.ActorCount, names, blocks);
    }

    /// <summary>
    /// A recorder holding the saved log, its time zero now; <paramref name="endTimestamp"/> is the
    /// run's end on its clock, or null when it has none.
    /// </summary>
    public static EventRecorder Restore(ArchivedLog log, out long? endTimestamp)
    {
        ArgumentNullException.ThrowIfNull(log);
        if (log.ActorCount < 1 || log.ClockFrequency < 1)
        {
            throw new InvalidDataException("A saved log has no actors or no clock.");
        }

        var perActor = new long[log.ActorCount];
        foreach (var block in log.Blocks)
        {
            if (block.Actor < 0 || block.Actor >= log.ActorCount)
            {
                throw new InvalidDataException($"A saved block belongs to actor {block.Actor} of {log.ActorCount}.");
            }

            perActor[block.Actor] += block.Count;
        }

        var recorder = new EventRecorder(log.ActorCount, EventRecorder.CapacityFor(perActor));
        var names = new string?[log.ResourceNames.Count + 1];
        for (var n = 0; n < log.ResourceNames.Count; n++)
        {
            names[n + 1] = log.ResourceNames[n];
            // In their saved order, so each name gets the number it had.
            recorder.Resources.NumberOf(log.ResourceNames[n]);
        }

        var start = recorder.StartTimestamp;
        var sameClock = log.ClockFrequency == Stopwatch.Frequency;
        foreach (var block in log.Blocks.OrderBy(b => b.Actor).ThenBy(b => b.Index))
        {
            var writer = recorder[block.Actor];
            foreach (var e in EventBlockCodec.Decode(block.Data, block.Count))
            {
                if (e.Resource >= names.Length)
                {
                    throw new InvalidDataException($"A saved event names resource {e.Resource} of {log.ResourceNames.Count}.");
                }

                var ticks = sameClock ? e.Ticks : ToThisClock(e.Ticks, log.ClockFrequency);
                writer.RecordAt(start + ticks, e.Kind, names[e.Resource], e.Value, e.Level);
            }
        }

        for (var a = 0; a < perActor.Length; a++)
        {
            if (recorder[a].Count != perActor[a])
            {
                throw new InvalidDataException($"Actor {a}'s saved log read back {recorder[a].Count} of its {perActor[a]} events.");
            }
        }

        endTimestamp = log.HorizonTicks is { } horizon ? start + (sameClock ? horizon : ToThisClock(horizon, log.ClockFrequency)) : null;
        return recorder;
    }

    // A log saved on a machine whose clock ticks at another rate: the same instants, to this clock's tick.
    private static long ToThisClock(long ticks, long frequency) =>
        (long)((Int128)ticks * Stopwatch.Frequency / frequency);
}
