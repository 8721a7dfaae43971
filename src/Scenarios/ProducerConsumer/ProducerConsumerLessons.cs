using System.Globalization;
using Playground.Scenarios.Primitives;
using Playground.Shared.Runs;

namespace Playground.Scenarios.ProducerConsumer;

/// <summary>Notes that explain a run's figures, the same in threads and processes mode.</summary>
public static class ProducerConsumerLessons
{
    public static List<string> Notes(ProducerConsumerSettings s, Verdict verdict, long wastedPolls)
    {
        var notes = new List<string>();
        if (s.Shutdown == ShutdownStyle.Poll)
        {
            notes.Add(string.Format(CultureInfo.InvariantCulture,
                "Consumers looked into an empty queue {0} times instead of blocking until an item arrived.", wastedPolls));
        }

        if (!verdict.Held && s.QueueKind == QueueKind.Lifo && s.Shutdown == ShutdownStyle.Sentinel)
        {
            notes.Add("A LIFO queue hands out the newest item first: the stop markers put after the last item came out " +
                "before the items still waiting under them, so consumers stopped early and those items were never eaten. " +
                "Sentinels need a queue that keeps them behind the work (FIFO), or a joinable queue.");
        }

        return notes;
    }
}
