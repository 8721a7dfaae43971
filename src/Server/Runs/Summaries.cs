using System.Diagnostics;
using System.Globalization;
using Playground.Scenarios.Engine;
using Playground.Scenarios.Recording;
using Playground.Shared.Runs;

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
        var notes = new List<string>(outcome.Notes);
        var dropped = recorder.Dropped;
        if (dropped > 0)
        {
            notes.Add(string.Format(CultureInfo.InvariantCulture,
                "The event log is capped at {0:N0} events: {1:N0} later events were not recorded, so the timeline ends early. The verdict is still checked on every item.",
                recorder.MaxEvents, dropped));
        }

        return new RunSummary(Round(wallMs), Math.Round(outcome.Throughput, 2), outcome.ThroughputUnit, recorder.Count, dropped,
            actors, outcome.Metrics, outcome.Verdict, notes);
    }

    private static double Round(double ms) => Math.Round(ms, 1);
}
