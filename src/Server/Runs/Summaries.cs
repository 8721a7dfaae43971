using System.Diagnostics;
using System.Globalization;
using Playground.Scenarios.Engine;
using Playground.Scenarios.Recording;
using Playground.Shared.Catalog;
using Playground.Shared.Parameters;
using Playground.Shared.Runs;
using Playground.Shared.Text;

namespace Playground.Server.Runs;

/// <summary>Builds a run's summary: the figures every run has plus the scenario's own.</summary>
public static class Summaries
{
    public static RunSummary Build(Run run, EventRecorder recorder, ScenarioOutcome outcome, long endTimestamp)
    {
        var times = ActorTimeline.Measure(recorder, endTimestamp);
        var info = run.ToInfo();
        var actors = info.Actors.Select((a, i) => new ActorSummary(
            a.Id, a.Name, a.Role,
            i < outcome.CountPerActor.Count ? outcome.CountPerActor[i] : 0,
            Round(times[i].BusyMs), Round(times[i].BlockedMs), Round(times[i].SleepMs),
            times[i].Waits, times[i].Polls)).ToList();
        var wallMs = (endTimestamp - recorder.StartTimestamp) * 1000.0 / Stopwatch.Frequency;
        var notes = new List<Msg>(outcome.Notes);
        var dropped = recorder.Dropped;
        var lost = recorder.Lost;
        if (dropped - lost > 0)
        {
            notes.Add(Msg.Of("note.truncated", ("max", recorder.MaxEvents), ("dropped", dropped - lost)));
        }

        if (lost > 0)
        {
            notes.Add(Msg.Of("note.eventsLost", ("lost", lost)));
        }

        return new RunSummary(Round(wallMs), Math.Round(outcome.Throughput, 2), outcome.ThroughputUnit, recorder.Count, dropped,
            actors, outcome.Metrics, outcome.Verdict, notes, Gauges(run.Scenario.Descriptor, run.Values, recorder));
    }

    /// <summary>Each declared gauge's extremes, with its limit from the run's knobs.</summary>
    public static IReadOnlyList<GaugeSummary> Gauges(ScenarioDescriptor scenario, ParameterValues values, EventRecorder recorder)
    {
        var ranges = GaugeExtremes.Measure(recorder, scenario.Gauges);
        return scenario.Gauges.Select((gauge, i) => new GaugeSummary(
            gauge.Id,
            gauge.Style == GaugeStyle.Band ? "band" : "step",
            Msg.Of(gauge.LabelKey(scenario.Id)),
            ranges[i].Readings,
            ranges[i].Min,
            ranges[i].Max,
            ranges[i].Readings == 0 ? 0 : Round(Math.Max(0, recorder.ToNanoseconds(ranges[i].MaxTimestamp)) / 1e6),
            Limit(gauge, values))).ToList();
    }

    // A knob of 0 or less means no limit (an unbounded queue), as the timeline draws none.
    private static long? Limit(GaugeSpec gauge, ParameterValues values) =>
        gauge.LimitParameter is { } name && values.Values.TryGetValue(name, out var value)
        && Convert.ToInt64(value, CultureInfo.InvariantCulture) is var limit and > 0
            ? limit
            : null;

    private static double Round(double ms) => Math.Round(ms, 1);
}
