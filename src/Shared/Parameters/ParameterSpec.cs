using System.Globalization;
using Playground.Shared.Text;

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

    /// <summary>What values are allowed, named in every error message ("an integer from 1 to 16").</summary>
    public Msg Allowed => Type switch
    {
        ParameterType.Choice => Msg.Of("allowed.choice", ("options", string.Join(", ", Options.Select(o => o.Value)))),
        ParameterType.Integer => Range("allowed.integer"),
        _ => Range("allowed.number"),
    };

    /// <summary>The unit as a message ("s" reads 秒 in Chinese), or null when the knob has none.</summary>
    public Msg? UnitText => string.IsNullOrEmpty(Unit) ? null : Msg.Of(UnitKey(Unit));

    /// <summary>The message key of a unit symbol.</summary>
    public static string UnitKey(string unit) => unit switch
    {
        "s" => "unit.s",
        "ms" => "unit.ms",
        "×" => "unit.times",
        _ => "unit." + unit,
    };

    private Msg Range(string key) => UnitText is { } unit
        ? Msg.Of(key + "Unit", ("min", Min ?? double.NaN), ("max", Max ?? double.NaN), ("unit", unit))
        : Msg.Of(key, ("min", Min ?? double.NaN), ("max", Max ?? double.NaN));
}
