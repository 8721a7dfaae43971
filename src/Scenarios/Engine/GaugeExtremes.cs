using Playground.Scenarios.Recording;
using Playground.Shared.Catalog;

namespace Playground.Scenarios.Engine;

/// <summary>
/// One gauge's extremes over a run: how many events carried its level, the lowest and highest
/// level, and when the highest was first reached (a raw <see cref="System.Diagnostics.Stopwatch"/> timestamp).
/// </summary>
public readonly record struct GaugeRange(long Readings, long Min, long Max, long MaxTimestamp);

/// <summary>Reads each declared gauge's extremes from the recorded events, whatever the scenario.</summary>
public static class GaugeExtremes
{
    /// <summary>One range per gauge of <paramref name="gauges"/>, in the same order.</summary>
    public static GaugeRange[] Measure(EventRecorder recorder, IReadOnlyList<GaugeSpec> gauges)
    {
        ArgumentNullException.ThrowIfNull(recorder);
        ArgumentNullException.ThrowIfNull(gauges);
        if (gauges.Count == 0)
        {
            return [];
        }

        var readings = new long[gauges.Count];
        var min = new long[gauges.Count];
        var max = new long[gauges.Count];
        var maxAt = new long[gauges.Count];

        // Each actor's log is in time order, so the first time an actor reaches a level is its
        // earliest; across actors the earliest of those wins. No merge of the logs is needed.
        for (var a = 0; a < recorder.ActorCount; a++)
        {
            var log = recorder[a];
            var count = log.Count;
            for (var i = 0; i < count; i++)
            {
                var e = log[i];
                if (e.Level < 0 || e.Resource is null)
                {
                    continue;
                }

                for (var g = 0; g < gauges.Count; g++)
                {
                    if (!gauges[g].Matches(e.Resource))
                    {
                        continue;
                    }

                    if (readings[g]++ == 0)
                    {
                        min[g] = max[g] = e.Level;
                        maxAt[g] = e.Timestamp;
                        continue;
                    }

                    min[g] = Math.Min(min[g], e.Level);
                    if (e.Level > max[g] || (e.Level == max[g] && e.Timestamp < maxAt[g]))
                    {
                        max[g] = e.Level;
                        maxAt[g] = e.Timestamp;
                    }
                }
            }
        }

        var result = new GaugeRange[gauges.Count];
        for (var g = 0; g < gauges.Count; g++)
        {
            result[g] = new GaugeRange(readings[g], min[g], max[g], maxAt[g]);
        }

        return result;
    }
}
