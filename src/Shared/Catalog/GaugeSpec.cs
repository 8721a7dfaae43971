namespace Playground.Shared.Catalog;

/// <summary>How a gauge is drawn under the lanes.</summary>
public enum GaugeStyle
{
    /// <summary>A step chart of a count (queue depth, permits in use, tickets left).</summary>
    Step,
    /// <summary>An on/off band across the timeline (an event flag); levels are 0 or 1.</summary>
    Band,
}

/// <summary>
/// A quantity a scenario charts over time. Events whose resource is <see cref="Resource"/> (or
/// <c>Resource:detail</c>) and whose level is 0 or more carry the gauge's value after the event.
/// The timeline draws one chart per gauge, the live stream keeps the latest value of each, and
/// the summary shows each gauge's extremes; none of them knows the scenario.
/// </summary>
/// <remarks>
/// The label is the message <c>gauge.{scenario}.{Id}</c>, the limit line's label
/// <c>gauge.{scenario}.{Id}.limit</c> with the argument <c>n</c>.
/// </remarks>
public sealed record GaugeSpec
{
    public required string Id { get; init; }

    /// <summary>The resource whose events carry this gauge's level ("queue", "lot", "flag").</summary>
    public required string Resource { get; init; }

    public GaugeStyle Style { get; init; } = GaugeStyle.Step;

    /// <summary>The knob whose value is the gauge's limit line (capacity, permits); 0 or less draws none.</summary>
    public string? LimitParameter { get; init; }

    /// <summary>True when an event of <paramref name="resource"/> belongs to this gauge.</summary>
    public bool Matches(string? resource) =>
        resource is not null && resource.StartsWith(Resource, StringComparison.Ordinal)
        && (resource.Length == Resource.Length || resource[Resource.Length] == ':');

    public string LabelKey(string scenario) => $"gauge.{scenario}.{Id}";

    public string LimitKey(string scenario) => $"gauge.{scenario}.{Id}.limit";
}
