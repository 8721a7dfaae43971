using System.Diagnostics;
using Playground.Shared.Text;
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
        var notes = new List<Msg>(outcome.Notes);
        var dropped = recorder.Dropped;
        if (dropped > 0)
        {
            notes.Add(Msg.Of("note.truncated", ("max", recorder.MaxEvents), ("dropped", dropped)));
        }

        return new RunSummary(Round(wallMs), Math.Round(outcome.Throughput, 2), outcome.ThroughputUnit, recorder.Count, dropped,
            actors, outcome.Metrics, outcome.Verdict, notes);
    }

    private static double Round(double ms) => Math.Round(ms, 1);
}
