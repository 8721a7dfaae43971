using System.Globalization;
using Playground.Shared.Runs;

namespace Playground.Scenarios.ProducerConsumer;

/// <summary>
/// Every item produced is consumed exactly once, and the queue never holds more than its
/// capacity. The evidence names the items lost or duplicated, or the highest depth seen.
/// </summary>
public static class ProducerConsumerInvariant
{
    public const string Statement = "Every item produced is consumed exactly once, and the queue depth never exceeds its capacity.";
    private const int MaxNamed = 10;

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
        var evidence = new List<string>();
        var held = true;

        if (duplicates.Count > 0)
        {
            held = false;
            evidence.Add($"{duplicates.Count} item(s) consumed more than once: " +
                string.Join(", ", duplicates.Take(MaxNamed).Select(kv => $"item {kv.Key} ×{kv.Value}")) + More(duplicates.Count));
        }

        if (unknown.Count > 0)
        {
            held = false;
            evidence.Add($"{unknown.Count} item(s) consumed that were never produced: " + Names(unknown));
        }

        if (complete && lost.Count > 0)
        {
            held = false;
            evidence.Add($"{lost.Count} item(s) produced but never consumed (lost): " + Names(lost));
        }

        if (capacity > 0 && maxDepth > capacity)
        {
            held = false;
            evidence.Add($"the queue held {maxDepth} items, more than its capacity of {capacity}");
        }

        if (held)
        {
            evidence.Add(complete
                ? $"all {producedCount} items produced were consumed exactly once"
                : $"the run was cut short: {consumedCount} of {producedCount} items produced were consumed, none twice; the rest were still in flight");
            evidence.Add(capacity > 0
                ? $"highest queue depth {maxDepth} ≤ capacity {capacity}"
                : $"highest queue depth {maxDepth} (unbounded queue)");
        }

        return new Verdict(held, Statement, evidence);
    }

    private static string Names(IReadOnlyList<long> items) =>
        string.Join(", ", items.Take(MaxNamed).Select(i => i.ToString(CultureInfo.InvariantCulture))) + More(items.Count);

    private static string More(int count) => count > MaxNamed ? $" and {count - MaxNamed} more" : "";
}
