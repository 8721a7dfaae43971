using System.Globalization;

namespace Playground.Shared.Parameters;

/// <summary>A complete, validated set of knob values for one scenario.</summary>
public sealed class ParameterValues
{
    private readonly Dictionary<string, object> _values;

    internal ParameterValues(Dictionary<string, object> values) => _values = values;

    public IReadOnlyDictionary<string, object> Values => _values;

    public long GetInt64(string name) => Convert.ToInt64(_values[name], CultureInfo.InvariantCulture);

    public int GetInt32(string name) => checked((int)GetInt64(name));

    public double GetDouble(string name) => Convert.ToDouble(_values[name], CultureInfo.InvariantCulture);

    public string GetString(string name) => (string)_values[name];

    /// <summary>Invariant text of every value, as the form and the link codec use them.</summary>
    public IReadOnlyDictionary<string, string> ToText() =>
        _values.ToDictionary(kv => kv.Key, kv => ToText(kv.Value), StringComparer.Ordinal);

    /// <summary>The invariant text of one validated value ("3", "0.2", "fifo").</summary>
    public static string ToText(object value) => value switch
    {
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        long l => l.ToString(CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    internal static object Parse(ParameterSpec spec, string text) => spec.Type switch
    {
        ParameterType.Integer => long.Parse(text, NumberStyles.Integer, CultureInfo.InvariantCulture),
        ParameterType.Number => double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture),
        _ => text,
    };
}
