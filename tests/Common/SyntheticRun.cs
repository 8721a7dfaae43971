using Playground.Scenarios.Recording;
using Playground.Shared.Events;

namespace Playground.Tests.Common;

/// <summary>
/// A made-up busy run for the benchmarks: half the lanes put and half get, each event 100 ns to
/// 20 µs after the last, a wait before every put or get and work after it, and the queue's depth on
/// every put and get — the shape of producer/consumer with no delays, at any size.
/// </summary>
public static class SyntheticRun
{
    public const string Queue = "queue";

    /// <summary>Records <paramref name="perLane"/> events in each of the recorder's lanes; returns where the last one lies (ns since the start).</summary>
    public static long Fill(EventRecorder recorder, int perLane, int seed = 7)
    {
        ArgumentNullException.ThrowIfNull(recorder);
        var random = new Random(seed);
        var start = recorder.StartTimestamp;
        var lanes = recorder.ActorCount;
        long end = 0;
        for (var a = 0; a < lanes; a++)
        {
            // One writer per lane, as in a run: its events in time order.
            long t = random.Next(0, 1000);
            var log = recorder[a];
            var producer = a < lanes / 2;
            for (var i = 0; i < perLane; i++)
            {
                t += random.Next(4) == 0 ? random.Next(2_000, 20_000) : random.Next(100, 1_000);
                switch (i % 3)
                {
                    case 0:
                        log.RecordAt(start + t, EventKind.Wait, producer ? "queue:full" : "queue:empty", 0, -1);
                        break;
                    case 1:
                        log.RecordAt(start + t, producer ? EventKind.Put : EventKind.Get, Queue, i, random.Next(0, 6));
                        break;
                    default:
                        log.RecordAt(start + t, EventKind.Work, null, 0, -1);
                        break;
                }
            }

            end = Math.Max(end, t);
        }

        return end;
    }
}
