using System.Text;
using Playground.Shared.Catalog;
using Playground.Shared.Text;

namespace Playground.Shared.Parameters;

/// <summary>
/// Encodes a scenario setup as a query string holding only the knobs that differ from their
/// defaults, and decodes such a link back, reporting every bad knob by name.
/// </summary>
public static class ShareLink
{
    public static string Path(ScenarioDescriptor scenario) => "/play/" + scenario.Id;

    /// <summary>The query string (without '?'), empty when every knob is at its default.</summary>
    public static string EncodeQuery(ScenarioDescriptor scenario, ParameterValues values)
    {
        var sb = new StringBuilder();
        var text = values.ToText();
        foreach (var spec in scenario.Parameters)
        {
            if (!text.TryGetValue(spec.Name, out var v))
            {
                continue;
            }

            var def = ParameterValues.ToText(spec.DefaultValue);
            if (string.Equals(v, def, StringComparison.Ordinal))
            {
                continue;
            }

            if (sb.Length > 0)
            {
                sb.Append('&');
            }

            sb.Append(Uri.EscapeDataString(spec.Name)).Append('=').Append(Uri.EscapeDataString(v));
        }

        return sb.ToString();
    }

    /// <summary>The site-relative link, e.g. "/play/producer-consumer?consumers=3".</summary>
    public static string Encode(ScenarioDescriptor scenario, ParameterValues values)
    {
        var query = EncodeQuery(scenario, values);
        return query.Length == 0 ? Path(scenario) : Path(scenario) + "?" + query;
    }

    /// <summary>
    /// Decodes a query string ("?a=1&amp;b=2" or "a=1&amp;b=2"). Bad knobs fall back to their
    /// defaults and are listed in the errors; a malformed query never throws.
    /// </summary>
    public static ValidationResult Decode(ScenarioDescriptor scenario, string? query)
    {
        var raw = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        var errors = new List<ParameterError>();
        if (!string.IsNullOrEmpty(query))
        {
            var q = query.StartsWith('?') ? query[1..] : query;
            foreach (var pair in q.Split('&', StringSplitOptions.RemoveEmptyEntries))
            {
                var eq = pair.IndexOf('=', StringComparison.Ordinal);
                var key = Unescape(eq < 0 ? pair : pair[..eq]);
                var value = eq < 0 ? "" : Unescape(pair[(eq + 1)..]);
                if (key is null || value is null)
                {
                    errors.Add(new ParameterError("link", Msg.Of("link.malformed", ("part", ParameterValidator.Clip(pair, 40)))));
                    continue;
                }

                if (key.Length == 0)
                {
                    continue;
                }

                raw[key] = value;
            }
        }

        var result = ParameterValidator.Validate(scenario, raw);
        return errors.Count == 0 ? result : result with { Errors = [.. errors, .. result.Errors] };
    }

    private static string? Unescape(string s)
    {
        try
        {
            return Uri.UnescapeDataString(s.Replace('+', ' '));
        }
        catch (UriFormatException)
        {
            return null;
        }
    }
}
