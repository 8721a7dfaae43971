using System.Globalization;
using Playground.Shared.Runs;
using Playground.Shared.Text;

namespace Playground.Scenarios.ProducerConsumer;

/// <summary>
/// Every item produced is consumed exactly once, and the queue never holds more than its
/// capacity. The evidence names the items lost or duplicated, or the highest depth seen.
/// </summary>
public static class ProducerConsumerInvariant
{
    public static Msg Statement { get; } = Msg.Of("pc.invariant");
    private const int MaxNamed = 10;
    private const int MaxMarked = 500;

    /// <param name="produced">Items the producers put.</param>
    /// <param name="consumed">Items the consumers got (sentinels excluded).</param>
    /// <param name="maxDepth">Highest depth the queue reached.</param>
    /// <param name="capacity">The queue's capacity; 0 = unbounded.</param>
    /// <param name="complete">False when the run was cut short: items in flight are then not lost.</param>
    public static Verdict Check(IEnumerable<long> produced, IEnumerable<long> consumed, int maxDepth, int capacity, bool complete)
    {
        var times = new Dictionary<long, int>();
        long producedCount = 0;
        foreach (var item in produced)
        {
            times.TryAdd(item, 0);
            producedCount++;
        }

        var unknown = new List<long>();
        var duplicates = new SortedDictionary<long, int>();
        long consumedCount = 0;
        foreach (var item in consumed)
        {
            consumedCount++;
            if (!times.TryGetValue(item, out var n))
            {
                unknown.Add(item);
                continue;
            }

            times[item] = n + 1;
            if (n + 1 > 1)
            {
                duplicates[item] = n + 1;
            }
        }

        var lost = times.Where(kv => kv.Value == 0).Select(kv => kv.Key).Order().ToList();
        var evidence = new List<Msg>();
        var marked = new List<long>();
        var held = true;

        if (duplicates.Count > 0)
        {
            held = false;
            var named = duplicates.Take(MaxNamed)
                .Select(kv => (object)Msg.Of("pc.evidence.duplicate", ("item", kv.Key), ("times", kv.Value))).ToList();
            evidence.Add(Msg.Of("pc.evidence.duplicates", ("count", duplicates.Count), ("items", named), ("more", More(duplicates.Count))));
            marked.AddRange(duplicates.Keys.Take(MaxMarked));
        }

        if (unknown.Count > 0)
        {
            held = false;
            evidence.Add(Msg.Of("pc.evidence.unknown", ("count", unknown.Count), ("items", Named(unknown)), ("more", More(unknown.Count))));
        }

        if (complete && lost.Count > 0)
        {
            held = false;
            evidence.Add(Msg.Of("pc.evidence.lost", ("count", lost.Count), ("items", Named(lost)), ("more", More(lost.Count))));
            marked.AddRange(lost.Take(MaxMarked));
        }

        if (capacity > 0 && maxDepth > capacity)
        {
            held = false;
            evidence.Add(Msg.Of("pc.evidence.overflow", ("depth", maxDepth), ("capacity", capacity)));
        }

        if (held)
        {
            evidence.Add(complete
                ? Msg.Of("pc.evidence.allConsumed", ("count", producedCount))
                : Msg.Of("pc.evidence.cutShort", ("consumed", consumedCount), ("produced", producedCount)));
            evidence.Add(capacity > 0
                ? Msg.Of("pc.evidence.depth", ("depth", maxDepth), ("capacity", capacity))
                : Msg.Of("pc.evidence.depthUnbounded", ("depth", maxDepth)));
        }

        return new Verdict(held, Statement, evidence, marked.Count == 0 ? null : marked);
    }

    // Item ids are names, not quantities: shown without group separators.
    private static List<string> Named(IReadOnlyList<long> items) =>
        items.Take(MaxNamed).Select(i => i.ToString(CultureInfo.InvariantCulture)).ToList();

    private static object More(int count) => count > MaxNamed ? Msg.Of("list.more", ("count", count - MaxNamed)) : "";
}
