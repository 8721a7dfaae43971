using System.Globalization;
using Playground.Client.Services;
using Playground.Shared.Catalog;
using Playground.Shared.Runs;

namespace Playground.Client.Components.Comparisons;

/// <summary>One point of a speed-up curve: a value of the swept knob and what its runs gave.</summary>
/// <param name="Value">The swept knob's value (a pool size).</param>
/// <param name="WallMs">The mean wall time of its completed runs; null before the first.</param>
/// <param name="Speedup">Wall time at 1 ÷ wall time here, once both are known.</param>
public sealed record SpeedupPoint(int Value, double? WallMs, double? Speedup, BatchRow Row);

/// <summary>One curve of a sweep: the points of one option of the series knob (null: the only curve).</summary>
public sealed record SpeedupSeries(string? Option, IReadOnlyList<SpeedupPoint> Points);

/// <summary>The two sides of a ratio comparison and the ratio of their mean wall times (second ÷ first).</summary>
public sealed record RatioResult(BatchRow? First, BatchRow? Second, double? Ratio);

/// <summary>
/// Reads a comparison's batch as its chart needs it: speed-ups per series for a sweep, the two
/// wall times and their ratio for a pair. Pure functions of the batch's rows, so they are the same
/// live and at the end.
/// </summary>
public static class ComparisonResults
{
    /// <summary>True when <paramref name="batch"/> is a run of <paramref name="spec"/> (so its chart can draw it).</summary>
    public static bool Matches(ComparisonSpec spec, BatchInfo batch)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(batch);
        if (batch.Vary is not { } vary || !vary.TryGetValue(spec.Vary, out var values))
        {
            return false;
        }

        return spec.Chart switch
        {
            ComparisonChart.Ratio => vary.Count == 1 && values.SequenceEqual(spec.Values, StringComparer.Ordinal),
            _ => vary.Keys.All(k => k == spec.Vary || k == spec.Series) && values.All(v => int.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out _)),
        };
    }

    /// <summary>The mean wall time of a row's completed runs, in ms; null before the first.</summary>
    public static double? WallMs(BatchRow row)
    {
        ArgumentNullException.ThrowIfNull(row);
        return row.Metrics?.FirstOrDefault(m => m.Name == BatchMeasures.WallMs)?.Value;
    }

    /// <summary>The mean of metric <paramref name="name"/> over a row's completed runs, with its label; null when none had it.</summary>
    public static RunMetric? Metric(BatchRow row, string name)
    {
        ArgumentNullException.ThrowIfNull(row);
        return row.Metrics?.FirstOrDefault(m => m.Name == name);
    }

    /// <summary>Each series' points in ascending order of the swept value, with speed-ups over its own value 1.</summary>
    public static IReadOnlyList<SpeedupSeries> Speedups(ComparisonSpec spec, BatchInfo batch)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(batch);
        var series = new List<SpeedupSeries>();
        foreach (var group in batch.Rows.GroupBy(r => spec.Series is { } s ? r.Values.GetValueOrDefault(s) : null))
        {
            var points = group
                .Select(r => (Row: r, Value: int.TryParse(r.Values.GetValueOrDefault(spec.Vary), NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v : (int?)null))
                .Where(p => p.Value is not null)
                .OrderBy(p => p.Value)
                .ToList();
            var baseline = points.FirstOrDefault(p => p.Value == 1).Row is { } one ? WallMs(one) : null;
            series.Add(new SpeedupSeries(group.Key, [.. points.Select(p =>
            {
                var wall = WallMs(p.Row);
                double? speedup = baseline is > 0 && wall is > 0 ? baseline / wall : null;
                return new SpeedupPoint(p.Value!.Value, wall, speedup, p.Row);
            })]));
        }

        return series;
    }

    /// <summary>The rows of the two compared values and the ratio of their mean wall times (second ÷ first).</summary>
    public static RatioResult Ratio(ComparisonSpec spec, BatchInfo batch)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(batch);
        if (spec.Values.Count != 2)
        {
            return new RatioResult(null, null, null);
        }

        BatchRow? Row(string value) => batch.Rows.FirstOrDefault(r => r.Values.GetValueOrDefault(spec.Vary) == value);
        var first = Row(spec.Values[0]);
        var second = Row(spec.Values[1]);
        var a = first is null ? null : WallMs(first);
        var b = second is null ? null : WallMs(second);
        return new RatioResult(first, second, a is > 0 && b is > 0 ? b / a : null);
    }

    /// <summary>A metric's mean as a table shows it: "187 %", "38.2 ms"; "–" when no run had it.</summary>
    public static string MetricText(RunMetric? metric) =>
        metric is null ? "–" : $"{UiText.Number(Math.Round(metric.Value, Math.Abs(metric.Value) >= 100 ? 0 : 1))} {metric.Unit?.Format()}".TrimEnd();

    /// <summary>A metric's label up to its first colon ("CPU use" of "CPU use: CPU time ÷ wall time …"), for a column header.</summary>
    public static string ShortLabel(string label)
    {
        ArgumentNullException.ThrowIfNull(label);
        var cut = label.IndexOfAny([':', '：']);
        return cut > 0 ? label[..cut].Trim() : label;
    }
}
