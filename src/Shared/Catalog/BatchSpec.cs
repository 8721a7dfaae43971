namespace Playground.Shared.Catalog;

/// <summary>
/// What a scenario's batch of repeated runs compares by default. Any choice knob may be varied
/// through the API; the page offers <see cref="Vary"/>.
/// </summary>
/// <remarks>
/// The measure's label for people is the message <c>batch.{scenario}.measure</c>, a short noun
/// that reads after a number: "mean 2.3 oversold", "平均超卖 2.3".
/// </remarks>
public sealed record BatchSpec
{
    /// <summary>The choice knob the page varies ("lock").</summary>
    public required string Vary { get; init; }

    /// <summary>The run metric (<see cref="Runs.RunMetric.Name"/>) whose mean each row reports ("oversold").</summary>
    public required string Measure { get; init; }

    public string MeasureKey(string scenario) => $"batch.{scenario}.measure";
}
