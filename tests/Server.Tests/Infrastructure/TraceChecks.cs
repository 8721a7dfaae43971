using System.Globalization;
using Playground.Shared.Runs;

namespace Playground.Server.Tests.Infrastructure;

/// <summary>An arrow of a trace, with the instants it joins.</summary>
public sealed record TraceArrow(string Name, TraceEvent From, TraceEvent To);

/// <summary>What every exported trace must be, whatever the run.</summary>
public static class TraceChecks
{
    public const string ItemArrow = "put → get";
    public const string PermitArrow = "release → acquire";

    /// <summary>
    /// One named thread per actor, in the process <paramref name="pidOf"/> says, no two actors on one
    /// track; returns each actor's track.
    /// </summary>
    public static Dictionary<int, (int Pid, int Tid)> AssertLanes(TraceFile trace, RunInfo run, Func<ActorInfo, int> pidOf)
    {
        var names = trace.Phase("M").Where(e => e.Name == "thread_name").ToList();
        Assert.Equal(run.Actors.Count, names.Count);
        var lanes = new Dictionary<int, (int Pid, int Tid)>();
        foreach (var actor in run.Actors)
        {
            var named = Assert.Single(names, n => n.Args.GetProperty("name").GetString() == actor.Name);
            Assert.Equal(pidOf(actor), named.Pid);
            lanes[actor.Id] = named.Track;
        }

        Assert.Equal(lanes.Count, lanes.Values.Distinct().Count());
        var processes = trace.Phase("M").Where(e => e.Name == "process_name").ToList();
        Assert.All(lanes.Values.Select(l => l.Pid).Distinct(), pid => Assert.Single(processes, p => p.Pid == pid));
        return lanes;
    }

    /// <summary>
    /// Spans one after another on each track (and, for an ended run, adding up to the summary's
    /// times per state); every flow id one start and one end, each 1 ns into a slice of its own that
    /// nests in the span around it, on the same track as an instant. Returns the arrows.
    /// </summary>
    public static List<TraceArrow> AssertWellFormed(TraceFile trace, RunInfo run, IReadOnlyDictionary<int, (int Pid, int Tid)> lanes)
    {
        Assert.Equal("ns", trace.DisplayTimeUnit);
        var tracks = lanes.Values.ToHashSet();
        Assert.All(trace.Events.Where(e => e.Ph is "X" or "i" or "s" or "f"), e => Assert.Contains(e.Track, tracks));
        Assert.All(trace.Phase("i"), e => Assert.Equal("t", e.Scope));

        var spans = tracks.ToDictionary(t => t, trace.Spans);
        foreach (var (actor, track) in lanes)
        {
            var lane = spans[track];
            for (var i = 0; i < lane.Count; i++)
            {
                Assert.True(lane[i].Dur > 0, $"actor {actor}: an empty span at {lane[i].Ts} ns");
                if (i > 0)
                {
                    Assert.True(lane[i - 1].End <= lane[i].Ts,
                        $"actor {actor}: {lane[i - 1].Name} [{lane[i - 1].Ts}, {lane[i - 1].End}] overlaps {lane[i].Name} from {lane[i].Ts}");
                }
            }

            if (run.Summary is { } summary)
            {
                // The one lane-state machine: the summary's times are the spans' (it rounds to 0.1 ms).
                var times = summary.Actors.Single(a => a.Actor == actor);
                Assert.InRange(Math.Abs(times.BusyMs - (Total(lane, "running") / 1e6)), 0, 0.051);
                Assert.InRange(Math.Abs(times.BlockedMs - (Total(lane, "blocked") / 1e6)), 0, 0.051);
                Assert.InRange(Math.Abs(times.SleepMs - (Total(lane, "sleeping") / 1e6)), 0, 0.051);
            }
        }

        var arrows = new List<TraceArrow>();
        foreach (var flow in trace.Events.Where(e => e.Ph is "s" or "f").GroupBy(e => e.Id))
        {
            Assert.NotNull(flow.Key);
            Assert.Equal(2, flow.Count());
            var start = Assert.Single(flow, e => e.Ph == "s");
            var end = Assert.Single(flow, e => e.Ph == "f");
            Assert.Equal(start.Name, end.Name);
            Assert.Equal(start.Cat, end.Cat);
            Assert.Equal("e", end.Bp);
            Assert.True(start.Ts <= end.Ts, $"flow {flow.Key} ends before it starts");
            foreach (var side in new[] { start, end })
            {
                var slice = Assert.Single(trace.Events, e => e.Ph == "X" && e.Cat == "flow" && e.Track == side.Track && e.Ts == side.Ts - 1);
                Assert.InRange(slice.Dur, 2, 1_000);
                Assert.All(spans[side.Track].Where(s => s.Ts < slice.End && slice.Ts < s.End),
                    s => Assert.True(s.Ts <= slice.Ts && slice.End <= s.End, $"the slice of flow {flow.Key} at {slice.Ts} straddles a span's edge"));
            }

            arrows.Add(new TraceArrow(start.Name, trace.InstantAt(start), trace.InstantAt(end)));
        }

        // No instant starts or ends two arrows.
        Assert.Equal(arrows.Count, arrows.Select(a => a.From).Distinct().Count());
        Assert.Equal(arrows.Count, arrows.Select(a => a.To).Distinct().Count());
        return arrows;
    }

    /// <summary>Each put → get arrow joins a put and a get of the same item; every get has one.</summary>
    public static void AssertItemArrows(TraceFile trace, IReadOnlyList<TraceArrow> arrows)
    {
        var items = arrows.Where(a => a.Name == ItemArrow).ToList();
        Assert.All(items, a =>
        {
            Assert.Equal("put", a.From.Name);
            Assert.Equal("get", a.To.Name);
            Assert.Equal(a.From.Resource, a.To.Resource);
            Assert.Equal(a.From.Value, a.To.Value);
            Assert.NotEqual(a.From.Track, a.To.Track);
        });
        Assert.Equal(trace.Phase("i").Count(e => e.Name == "get"), items.Count);
    }

    /// <summary>The gauge's counter holds every reading of the summary's first gauge, with its extremes.</summary>
    public static void AssertGauge(TraceFile trace, RunInfo run)
    {
        var gauge = run.Summary!.Gauges[0];
        var counters = trace.Phase("C").Where(c => c.Name == gauge.Label.Format(CultureInfo.GetCultureInfo("en"))).ToList();
        Assert.Equal(gauge.Readings, counters.Count);
        Assert.Equal(gauge.Min, counters.Min(c => c.Value));
        Assert.Equal(gauge.Max, counters.Max(c => c.Value));
        Assert.All(counters, c => Assert.Equal(Environment.ProcessId, c.Pid));
    }

    private static long Total(List<TraceEvent> spans, string state) =>
        spans.Where(s => s.Args.GetProperty("state").GetString() == state).Sum(s => s.Dur);
}
