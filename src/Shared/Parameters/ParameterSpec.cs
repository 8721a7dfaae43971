using System.Globalization;

namespace Playground.Shared.Parameters;

/// <summary>What kind of value a knob takes.</summary>
public enum ParameterType
{
    Integer,
    Number,
    Choice,
}

/// <summary>One choice of a <see cref="ParameterType.Choice"/> knob.</summary>
public sealed record ParameterOption(string Value, string Label, string? Description = null);

/// <summary>
/// The schema of one knob: its type, default, bounds and unit. Validation, the form, the API and
/// the share-link codec all read the same spec, so a range is written once.
/// </summary>
public sealed record ParameterSpec
{
    public required string Name { get; init; }
    public required string Label { get; init; }
    public required ParameterType Type { get; init; }
    public required string Description { get; init; }
    public string? Unit { get; init; }
    public double? Min { get; init; }
    public double? Max { get; init; }
    /// <summary>Step the form's spinner uses.</summary>
    public double? Step { get; init; }
    public IReadOnlyList<ParameterOption> Options { get; init; } = [];
    /// <summary>The default as the invariant text form ("20", "0.2", "fifo").</summary>
    public required string DefaultText { get; init; }
    /// <summary>Shown under the field, e.g. "0 = unbounded".</summary>
    public string? Hint { get; init; }
    /// <summary>Knobs the form groups under "More" (seed, time scale...).</summary>
    public bool Advanced { get; init; }

    /// <summary>The default as a typed value (long, double or string).</summary>
    public object DefaultValue => ParameterValues.Parse(this, DefaultText);

    public string TypeName => Type switch
    {
        ParameterType.Integer => "integer",
        ParameterType.Number => "number",
        _ => "choice",
    };

    /// <summary>Human text of the allowed range, used in every error message.</summary>
    public string AllowedText => Type switch
    {
        ParameterType.Choice => "one of " + string.Join(", ", Options.Select(o => o.Value)),
        ParameterType.Integer => $"an integer from {Format(Min)} to {Format(Max)}{UnitSuffix}",
        _ => $"a number from {Format(Min)} to {Format(Max)}{UnitSuffix}",
    };

    private string UnitSuffix => string.IsNullOrEmpty(Unit) ? "" : " " + Unit;

    internal static string Format(double? v) =>
        v is null ? "?" : v.Value.ToString("0.####", CultureInfo.InvariantCulture);
}
