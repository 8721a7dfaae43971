namespace Playground.Shared.Catalog;

/// <summary>How a comparison draws what its batch measured.</summary>
public enum ComparisonChart
{
    /// <summary>
    /// A whole-number knob swept from 1 up (pool sizes): for each series, the speed-up of every
    /// value over the value 1 (wall time at 1 ÷ wall time at n), against the ideal line y = n.
    /// </summary>
    Speedup,

    /// <summary>Two values of a knob side by side (a pool against a process per task): both wall times and their ratio.</summary>
    Ratio,
}

/// <summary>
/// A comparison a scenario offers in one click: a batch of runs of the form's setup that varies
/// one knob (and, for a sweep, crosses it with the ticked options of a second), drawn as
/// <see cref="Chart"/> says. It runs through the batch runner like any batch, so it counts
/// against every cap, shows its progress, can be cancelled, and its result has a link.
/// </summary>
/// <remarks>
/// Its texts are the messages <c>compare.{scenario}.{id}.title</c> and <c>compare.{scenario}.{id}.intro</c>.
/// </remarks>
public sealed record ComparisonSpec
{
    /// <summary>The comparison's id within its scenario ("sweep"); it names the comparison in links.</summary>
    public required string Id { get; init; }

    public required ComparisonChart Chart { get; init; }

    /// <summary>
    /// The knob varied: a whole-number knob swept from 1 to the chosen top (<see cref="ComparisonChart.Speedup"/>),
    /// or a choice knob whose two <see cref="Values"/> are compared (<see cref="ComparisonChart.Ratio"/>).
    /// </summary>
    public required string Vary { get; init; }

    /// <summary>For a ratio: the two values compared, the baseline first.</summary>
    public IReadOnlyList<string> Values { get; init; } = [];

    /// <summary>For a sweep: a choice knob whose ticked options each get a curve of their own (null: one curve, the form's).</summary>
    public string? Series { get; init; }

    /// <summary>The options of <see cref="Series"/> that may be ticked (the others make no sense for this sweep).</summary>
    public IReadOnlyList<string> SeriesOptions { get; init; } = [];

    /// <summary>For a sweep: the options of <see cref="Series"/> ticked when the page opens.</summary>
    public IReadOnlyList<string> DefaultSeries { get; init; } = [];

    /// <summary>A setup worth trying, offered as one click (the tutorial's own benchmark), by knob.</summary>
    public IReadOnlyDictionary<string, string> Suggested { get; init; } = new Dictionary<string, string>();

    /// <summary>Run metrics shown beside each row's wall time, by name ("cpuPercent").</summary>
    public IReadOnlyList<string> Metrics { get; init; } = [];

    /// <summary>Runs of each combination when the page opens.</summary>
    public int DefaultRepeat { get; init; } = 3;

    /// <summary>For a sweep: the top value when the page opens.</summary>
    public int DefaultTop { get; init; } = 4;

    public string TitleKey(string scenario) => $"compare.{scenario}.{Id}.title";

    public string IntroKey(string scenario) => $"compare.{scenario}.{Id}.intro";

    public string SuggestedKey(string scenario) => $"compare.{scenario}.{Id}.suggested";
}
