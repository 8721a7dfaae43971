using Playground.Shared.Text;
using Playground.Scenarios.Engine;
using Playground.Scenarios.Primitives;
using Playground.Shared.Runs;

namespace Playground.Scenarios.ProducerConsumer;

/// <summary>
/// The end of a producer/consumer run, the same in threads and processes mode: the invariant's
/// verdict, the figures, and the notes that explain them.
/// </summary>
public static class ProducerConsumerReport
{
    /// <param name="s">The run's settings.</param>
    /// <param name="produced">Items the producers put.</param>
    /// <param name="consumed">Items the consumers got (sentinels excluded).</param>
    /// <param name="maxDepth">Highest depth the queue reached.</param>
    /// <param name="wastedPolls">Polls of an empty queue (busy-poll shutdown).</param>
    /// <param name="complete">False when the run was cut short.</param>
    /// <param name="wallSeconds">The run's wall time, for the throughput.</param>
    /// <param name="counts">Items per actor.</param>
    /// <param name="modeMetrics">Figures only one mode has (child start-up), shown after the common ones.</param>
    /// <param name="failure">Why the run could not finish, if it could not.</param>
    public static ScenarioOutcome Build(ProducerConsumerSettings s, IReadOnlyCollection<long> produced, IReadOnlyCollection<long> consumed,
        int maxDepth, long wastedPolls, bool complete, double wallSeconds, IReadOnlyList<long> counts,
        IEnumerable<RunMetric>? modeMetrics = null, Msg? failure = null)
    {
        var verdict = ProducerConsumerInvariant.Check(produced, consumed, maxDepth, s.Capacity, complete);
        if (!verdict.Held && s.QueueKind == QueueKind.Lifo && s.Shutdown == ShutdownStyle.Sentinel)
        {
            // The loss is the lesson: its reason sits next to the verdict, not among the notes.
            verdict = verdict with { Explanation = Msg.Of("pc.note.lifo") };
        }

        var metrics = new List<RunMetric>
        {
            new("produced", Msg.Of("pc.metric.produced"), produced.Count),
            new("consumed", Msg.Of("pc.metric.consumed"), consumed.Count),
            new("maxDepth", Msg.Of("pc.metric.maxDepth"), maxDepth),
            new("capacity", Msg.Of("pc.metric.capacity"), s.Capacity, s.Capacity == 0 ? Msg.Of("unit.unbounded") : null),
        };
        metrics.AddRange(modeMetrics ?? []);
        if (s.Shutdown == ShutdownStyle.Poll)
        {
            metrics.Add(new RunMetric("wastedPolls", Msg.Of("pc.metric.wastedPolls"), wastedPolls));
        }

        var notes = Notes(s, wastedPolls);
        if (failure is not null)
        {
            notes.Add(Msg.Of("note.failure", ("reason", failure)));
        }

        return new ScenarioOutcome(wallSeconds > 0 ? consumed.Count / wallSeconds : 0, Msg.Of("unit.itemsPerSecond"), metrics, verdict, notes, counts, failure);
    }

    private static List<Msg> Notes(ProducerConsumerSettings s, long wastedPolls)
    {
        var notes = new List<Msg>();
        if (s.Shutdown == ShutdownStyle.Poll)
        {
            notes.Add(Msg.Of("pc.note.polls", ("polls", wastedPolls)));
        }

        return notes;
    }
}
