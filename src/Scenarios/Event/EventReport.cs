using Playground.Scenarios.Engine;
using Playground.Shared.Runs;
using Playground.Shared.Text;

namespace Playground.Scenarios.Event;

/// <summary>
/// The end of a boss-and-workers run, the same code in every mode: the flag's history replayed from
/// the observed events, the verdict, how many waited and woke, and how long each wake-up took after
/// its set (timestamps of one monotonic clock, so they compare across processes too).
/// </summary>
public static class EventReport
{
    public static ScenarioOutcome Build(IReadOnlyList<ActorSpec> actors, int boss, FlagEventLog log, HostResult result)
    {
        var history = EventInvariant.Replay(log.Snapshot());
        var names = actors.Select(a => a.Name).ToList();
        // Moments count from the run's start, as the timeline and the gauge summary do (in processes
        // mode the first event comes only after the children have started).
        var origin = result.StartTimestamp > 0 ? result.StartTimestamp : log.FirstTimestamp;
        var verdict = EventInvariant.Check(history, names, origin);
        var bossSets = history.Sets.Count(x => x.Actor == boss);
        var workerSets = history.Sets.Count - bossSets;
        var wakeUps = history.Sets.SelectMany(x => x.Woke).ToList();
        var us = Msg.Of("unit.us");

        var metrics = new List<RunMetric>
        {
            new("sets", Msg.Of("event.metric.sets"), bossSets),
        };
        if (workerSets > 0)
        {
            metrics.Add(new RunMetric("workerSets", Msg.Of("event.metric.workerSets"), workerSets));
        }

        metrics.Add(new RunMetric("clears", Msg.Of("event.metric.clears"), history.Clears));
        metrics.Add(new RunMetric("blockedWaits", Msg.Of("event.metric.blockedWaits"), history.BlockedWaits));
        metrics.Add(new RunMetric("wakeUps", Msg.Of("event.metric.wakeUps"), history.WokenPasses));
        metrics.Add(new RunMetric("passedAtOnce", Msg.Of("event.metric.passedAtOnce"), history.PassesAtOnce));
        metrics.Add(new RunMetric("timeouts", Msg.Of("event.metric.timeouts"), history.Timeouts));
        if (wakeUps.Count > 0)
        {
            metrics.Add(new RunMetric("meanLatencyUs", Msg.Of("event.metric.meanLatency"),
                EventInvariant.Microseconds(wakeUps.Average(w => (double)w.LatencyTicks)), us));
            metrics.Add(new RunMetric("maxLatencyUs", Msg.Of("event.metric.maxLatency"),
                EventInvariant.Microseconds(wakeUps.Max(w => w.LatencyTicks)), us));
        }

        metrics.AddRange(result.Metrics);
        foreach (var worker in wakeUps.GroupBy(w => w.Actor).OrderBy(g => g.Key))
        {
            var name = names[worker.Key];
            metrics.Add(new RunMetric("latency:" + name,
                Msg.Of("event.metric.workerLatency", ("name", name), ("count", worker.Count()),
                    ("max", EventInvariant.Microseconds(worker.Max(w => w.LatencyTicks)))),
                EventInvariant.Microseconds(worker.Average(w => (double)w.LatencyTicks)), us));
        }

        var notes = new List<Msg>();
        if (workerSets > 0)
        {
            notes.Add(Msg.Of("event.note.raisedAgain", ("count", workerSets)));
        }

        if (history.Timeouts > 0)
        {
            notes.Add(Msg.Of("event.note.timeouts", ("count", history.Timeouts)));
        }

        notes.AddRange(result.Notes);
        if (result.Failure is not null)
        {
            notes.Add(Msg.Of("note.failure", ("reason", result.Failure)));
        }

        var counts = Enumerable.Range(0, actors.Count)
            .Select(a => a == boss ? bossSets : history.PassesByActor.GetValueOrDefault(a))
            .ToList();
        var passes = history.WokenPasses + history.PassesAtOnce;
        return new ScenarioOutcome(result.WallSeconds > 0 ? passes / result.WallSeconds : 0, Msg.Of("unit.passesPerSecond"),
            metrics, verdict, notes, counts, result.Failure);
    }
}
