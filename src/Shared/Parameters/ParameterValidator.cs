using System.Globalization;
using Playground.Shared.Catalog;

namespace Playground.Shared.Parameters;

/// <summary>A problem with one field, worded for the person who typed it.</summary>
public sealed record ParameterError(string Field, string Message);

/// <summary>The outcome of validating raw knob values.</summary>
public sealed record ValidationResult(ParameterValues Values, IReadOnlyList<ParameterError> Errors)
{
    public bool IsValid => Errors.Count == 0;
}

/// <summary>
/// The one place where knob values are checked. Every entry point (form, REST API, hub, share
/// link) hands raw text here; nothing out of range ever reaches an actor.
/// </summary>
public static class ParameterValidator
{
    public const int MaxValueLength = 64;

    /// <summary>
    /// Validates <paramref name="raw"/> against the scenario's specs. Missing knobs take their
    /// defaults. A bad or unknown knob yields an error naming the field and what is allowed; the
    /// returned values then hold the default for that knob, so a caller may still show a form.
    /// </summary>
    public static ValidationResult Validate(ScenarioDescriptor scenario, IReadOnlyDictionary<string, string?>? raw)
    {
        var errors = new List<ParameterError>();
        var values = new Dictionary<string, object>(StringComparer.Ordinal);
        var given = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        if (raw is not null)
        {
            foreach (var (key, value) in raw)
            {
                given[key] = value;
            }
        }

        foreach (var spec in scenario.Parameters)
        {
            if (!given.Remove(spec.Name, out var text) || text is null)
            {
                values[spec.Name] = spec.DefaultValue;
                continue;
            }

            if (TryParse(spec, text, out var value, out var message))
            {
                values[spec.Name] = value;
            }
            else
            {
                errors.Add(new ParameterError(spec.Name, message));
                values[spec.Name] = spec.DefaultValue;
            }
        }

        foreach (var unknown in given.Keys.Order(StringComparer.Ordinal))
        {
            var known = string.Join(", ", scenario.Parameters.Select(p => p.Name));
            errors.Add(new ParameterError(Clip(unknown),
                $"'{Clip(unknown)}' is not a parameter of {scenario.Id}; known parameters: {known}"));
        }

        return new ValidationResult(new ParameterValues(values), errors);
    }

    /// <summary>Checks one raw value against one spec.</summary>
    public static bool TryParse(ParameterSpec spec, string text, out object value, out string message)
    {
        value = spec.DefaultValue;
        text = text.Trim();
        if (text.Length > MaxValueLength)
        {
            message = $"{spec.Name} is too long; it must be {spec.AllowedText}";
            return false;
        }

        switch (spec.Type)
        {
            case ParameterType.Choice:
                var option = spec.Options.FirstOrDefault(o => string.Equals(o.Value, text, StringComparison.OrdinalIgnoreCase));
                if (option is null)
                {
                    message = $"{spec.Name} must be {spec.AllowedText} (got '{text}')";
                    return false;
                }

                value = option.Value;
                message = "";
                return true;

            case ParameterType.Integer:
                if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var whole)
                    || double.IsNaN(whole) || double.IsInfinity(whole) || Math.Floor(whole) != whole)
                {
                    message = $"{spec.Name} must be {spec.AllowedText} (got '{text}')";
                    return false;
                }

                if (!InRange(spec, whole))
                {
                    message = $"{spec.Name} must be {spec.AllowedText} (got {text})";
                    return false;
                }

                value = (long)whole;
                message = "";
                return true;

            default:
                if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number)
                    || double.IsNaN(number) || double.IsInfinity(number))
                {
                    message = $"{spec.Name} must be {spec.AllowedText} (got '{text}')";
                    return false;
                }

                if (!InRange(spec, number))
                {
                    message = $"{spec.Name} must be {spec.AllowedText} (got {text})";
                    return false;
                }

                value = number;
                message = "";
                return true;
        }
    }

    private static bool InRange(ParameterSpec spec, double v) =>
        (spec.Min is null || v >= spec.Min.Value) && (spec.Max is null || v <= spec.Max.Value);

    /// <summary>Cuts text a person sent to a length fit to quote back in a message.</summary>
    public static string Clip(string s, int max = MaxValueLength) => s.Length <= max ? s : s[..max] + "…";
}
