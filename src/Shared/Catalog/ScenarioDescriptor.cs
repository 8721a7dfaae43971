using Playground.Shared.Parameters;

namespace Playground.Shared.Catalog;

/// <summary>How a scenario's actors are hosted.</summary>
public static class RunModes
{
    public const string Threads = "threads";
    public const string Processes = "processes";
    /// <summary>Actors are tasks on the thread pool, awaiting async primitives instead of blocking.</summary>
    public const string Async = "async";

    /// <summary>Every mode the product knows, in the order the page shows them.</summary>
    public static IReadOnlyList<string> All { get; } = [Threads, Processes, Async];
}

/// <summary>A scenario as the gallery, the form and the API describe it.</summary>
public sealed record ScenarioDescriptor
{
    public required string Id { get; init; }
    public required string Name { get; init; }
    public required string NameZh { get; init; }
    public required string Summary { get; init; }
    /// <summary>Modes that can run today.</summary>
    public IReadOnlyList<string> Modes { get; init; } = [RunModes.Threads];
    /// <summary>False for scenarios shown in the gallery as coming.</summary>
    public bool Available { get; init; } = true;
    public IReadOnlyList<ParameterSpec> Parameters { get; init; } = [];
    /// <summary>Knobs that set how many actors a run starts (named when a cap on actors is hit).</summary>
    public IReadOnlyList<string> ActorFields { get; init; } = [];
    /// <summary>Knobs that set how many items a run moves.</summary>
    public IReadOnlyList<string> ItemFields { get; init; } = [];
    /// <summary>Knobs that set how long a run takes.</summary>
    public IReadOnlyList<string> DurationFields { get; init; } = [];

    /// <summary>The quantities the timeline charts under the lanes, in order.</summary>
    public IReadOnlyList<GaugeSpec> Gauges { get; init; } = [];

    /// <summary>
    /// How a batch of repeated runs ("run it N times") compares settings: the knob it varies by
    /// default, and the run metric whose mean each row shows beside the share of violated runs.
    /// Null when the scenario offers no batch on the page.
    /// </summary>
    public BatchSpec? Batch { get; init; }

    /// <summary>
    /// Comparisons the page offers in one click (a speed-up sweep, two executors side by side),
    /// each a batch through the batch runner. A scenario with comparisons shows them instead of
    /// the plain "run it N times" panel.
    /// </summary>
    public IReadOnlyList<ComparisonSpec> Comparisons { get; init; } = [];

    public ComparisonSpec? FindComparison(string? id) =>
        Comparisons.FirstOrDefault(c => string.Equals(c.Id, id, StringComparison.OrdinalIgnoreCase));

    /// <summary>
    /// The knob that says where the actors run: the common <c>mode</c>, or a scenario's own
    /// choice (the pool's executor), each of whose options runs in one of the host's
    /// <see cref="RunModes"/> as <see cref="HostModes"/> says.
    /// </summary>
    public string ModeParameter { get; init; } = CommonParameters.Mode;

    /// <summary>For a <see cref="ModeParameter"/> of the scenario's own: the host mode of each of its options.</summary>
    public IReadOnlyDictionary<string, string> HostModes { get; init; } = new Dictionary<string, string>();

    /// <summary>
    /// Resources whose spans the timeline labels with the value of the event that began them
    /// (the pool's task numbers on its workers' lanes).
    /// </summary>
    public IReadOnlyList<string> SpanLabels { get; init; } = [];

    /// <summary>Where a setup's actors run: threads, processes or async (threads when the scenario has no mode knob).</summary>
    public string HostModeOf(ParameterValues values)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (!values.Values.TryGetValue(ModeParameter, out var chosen) || chosen is not string option)
        {
            return RunModes.Threads;
        }

        return HostModes.TryGetValue(option, out var mode) ? mode : option;
    }

    public ParameterSpec? Find(string name) =>
        Parameters.FirstOrDefault(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase));

    /// <summary>Every knob at its default.</summary>
    public ParameterValues Defaults() => ParameterValidator.Validate(this, null).Values;
}
