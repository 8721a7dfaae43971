using System.Globalization;
using System.Text;
using Playground.Shared.Catalog;
using Playground.Shared.Text;

namespace Playground.Shared.Parameters;

/// <summary>A problem with one field, as a message formatted in the reader's language where shown.</summary>
public sealed record ParameterError(string Field, Msg Text)
{
    /// <summary>The message in the current UI culture.</summary>
    public string Message => Text.Format();
}

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
    /// defaults. A bad knob yields an error naming the field and what is allowed; unknown names
    /// yield one error however many there are. The returned values then hold the default for a
    /// bad knob, so a caller may still show a form.
    /// </summary>
    public static ValidationResult Validate(ScenarioDescriptor scenario, IReadOnlyDictionary<string, string?>? raw)
    {
        var errors = new List<ParameterError>();
        var values = new Dictionary<string, object>(StringComparer.Ordinal);
        var unknown = new List<string>();
        var given = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (var (key, text) in raw ?? new Dictionary<string, string?>())
        {
            if (scenario.Find(key) is null)
            {
                unknown.Add(key);
            }
            else
            {
                given[key] = text;
            }
        }

        foreach (var spec in scenario.Parameters)
        {
            var text = given.GetValueOrDefault(spec.Name);
            if (text is null)
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
                errors.Add(new ParameterError(spec.Name, message!));
                values[spec.Name] = spec.DefaultValue;
            }
        }

        if (unknown.Count > 0)
        {
            // One error, however many names were sent: the reply never grows with the input.
            var first = unknown.Min(StringComparer.Ordinal)!;
            var names = string.Join(", ", scenario.Parameters.Select(p => p.Name));
            errors.Add(new ParameterError(Clip(first), unknown.Count == 1
                ? Msg.Of("validation.unknown", ("name", Clip(first)), ("scenario", scenario.Id), ("known", names))
                : Msg.Of("validation.unknownMany", ("name", Clip(first)), ("more", unknown.Count - 1), ("scenario", scenario.Id), ("known", names))));
        }

        return new ValidationResult(new ParameterValues(values), errors);
    }

    /// <summary>
    /// The one error for a request with more parameters than <paramref name="scenario"/> has
    /// (or, when the scenario is unknown, than any scenario has): its size does not depend on the input.
    /// </summary>
    public static ParameterError TooMany(ScenarioDescriptor? scenario, int given, int most) =>
        new("parameters", scenario is null
            ? Msg.Of("validation.tooManyAny", ("count", given), ("max", most))
            : Msg.Of("validation.tooMany", ("count", given), ("max", most), ("scenario", scenario.Id),
                ("known", string.Join(", ", scenario.Parameters.Select(p => p.Name)))));

    /// <summary>Checks one raw value against one spec; the message is null when the value is allowed.</summary>
    public static bool TryParse(ParameterSpec spec, string text, out object value, out Msg? message)
    {
        value = spec.DefaultValue;
        message = null;
        text = Normalize(text);
        var field = spec.Name;
        if (text.Length > MaxValueLength)
        {
            message = Msg.Of("validation.tooLong", ("field", field), ("allowed", spec.Allowed));
            return false;
        }

        if (text.Length == 0)
        {
            message = Msg.Of("validation.empty", ("field", field), ("allowed", spec.Allowed));
            return false;
        }

        if (spec.Type == ParameterType.Choice)
        {
            var option = spec.Options.FirstOrDefault(o => string.Equals(o.Value, text, StringComparison.OrdinalIgnoreCase));
            if (option is null)
            {
                message = Msg.Of("validation.choice", ("field", field), ("allowed", spec.Allowed), ("text", text));
                return false;
            }

            value = option.Value;
            return true;
        }

        if (text.Contains(',', StringComparison.Ordinal))
        {
            // "0,5" is half in much of the world and 5 to the invariant parser: refuse it, never misread it.
            message = Msg.Of("validation.comma", ("field", field), ("text", text));
            return false;
        }

        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number)
            || double.IsNaN(number) || double.IsInfinity(number))
        {
            message = Msg.Of("validation.notNumber", ("field", field), ("allowed", spec.Allowed), ("text", text));
            return false;
        }

        if (spec.Type == ParameterType.Integer && Math.Floor(number) != number)
        {
            message = Msg.Of("validation.notInteger", ("field", field), ("allowed", spec.Allowed), ("text", text));
            return false;
        }

        if (!InRange(spec, number))
        {
            message = Msg.Of("validation.outOfRange", ("field", field), ("allowed", spec.Allowed), ("text", text));
            return false;
        }

        value = spec.Type == ParameterType.Integer ? (object)(long)number : number;
        return true;
    }

    /// <summary>
    /// Trims and turns full-width forms typed with a Chinese input method (１２，０．５) into their
    /// ASCII forms, so they are either read exactly as meant or refused with a reason.
    /// </summary>
    public static string Normalize(string text)
    {
        text = text.Trim().Trim('\u3000');
        StringBuilder? sb = null;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            var mapped = c switch
            {
                >= '\uFF01' and <= '\uFF5E' => (char)(c - 0xFEE0), // full-width ASCII block: ０-９ ． － ＋ ， ｅ
                '\u3002' => '.', // 。 typed for a decimal point
                '\u3001' => ',', // 、
                _ => c,
            };
            if (mapped != c)
            {
                sb ??= new StringBuilder(text, 0, i, text.Length);
            }

            sb?.Append(mapped);
        }

        return sb?.ToString() ?? text;
    }

    private static bool InRange(ParameterSpec spec, double v) =>
        (spec.Min is null || v >= spec.Min.Value) && (spec.Max is null || v <= spec.Max.Value);

    /// <summary>Cuts text a person sent to a length fit to quote back in a message.</summary>
    public static string Clip(string s, int max = MaxValueLength) => s.Length <= max ? s : s[..max] + "…";
}
