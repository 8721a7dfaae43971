using System.Collections;
using System.Globalization;
using System.Resources;
using System.Text;
using System.Text.Json;

namespace Playground.Shared.Text;

/// <summary>
/// A sentence for a person, kept as a message key plus named arguments and formatted in the
/// reader's culture where it is shown. The engine and the server build these instead of English
/// strings, so a run recorded while one person reads Chinese reads correctly in English for the next.
/// </summary>
/// <remarks>
/// Templates live in <c>Resources/Messages.resx</c> (English) and <c>Messages.zh-CN.resx</c>.
/// A placeholder is <c>{name}</c> or <c>{name:format}</c> (<c>{count:N0}</c>, <c>{ms:0.#}</c>).
/// An argument may be a number (formatted in the culture), a string (shown as is), another
/// <see cref="Msg"/> (formatted first) or a list of numbers (joined the culture's way).
/// </remarks>
public sealed record Msg(string Key, IReadOnlyDictionary<string, object>? Args = null)
{
    private static readonly ResourceManager Resources =
        new("Playground.Shared.Resources.Messages", typeof(Msg).Assembly);

    /// <summary>A message with named arguments: <c>Msg.Of("run.notFound", ("id", id))</c>.</summary>
    public static Msg Of(string key, params (string Name, object Value)[] args)
    {
        if (args.Length == 0)
        {
            return new Msg(key);
        }

        var dict = new Dictionary<string, object>(args.Length, StringComparer.Ordinal);
        foreach (var (name, value) in args)
        {
            dict[name] = value;
        }

        return new Msg(key, dict);
    }

    /// <summary>The template of <paramref name="key"/> in <paramref name="culture"/>, or null when there is none.</summary>
    public static string? Template(string key, CultureInfo? culture = null) =>
        Resources.GetString(key, culture ?? CultureInfo.CurrentUICulture);

    /// <summary>The sentence in <paramref name="culture"/> (the current UI culture when null).</summary>
    public string Format(CultureInfo? culture = null)
    {
        culture ??= CultureInfo.CurrentUICulture;
        var template = Template(Key, culture) ?? Key;
        return Fill(template, Args, culture);
    }

    /// <summary>The sentence in the current UI culture, sent along for readers that only show text (API clients).</summary>
    public string Text => Format();

    public override string ToString() => Format();

    /// <summary>Replaces each <c>{name}</c> / <c>{name:format}</c> of <paramref name="template"/>.</summary>
    public static string Fill(string template, IReadOnlyDictionary<string, object>? args, CultureInfo culture)
    {
        if (args is null || args.Count == 0 || template.IndexOf('{', StringComparison.Ordinal) < 0)
        {
            return template;
        }

        var sb = new StringBuilder(template.Length + 32);
        var i = 0;
        while (i < template.Length)
        {
            var open = template.IndexOf('{', i);
            var close = open < 0 ? -1 : template.IndexOf('}', open + 1);
            if (open < 0 || close < 0)
            {
                sb.Append(template, i, template.Length - i);
                break;
            }

            sb.Append(template, i, open - i);
            var inner = template.AsSpan(open + 1, close - open - 1);
            var colon = inner.IndexOf(':');
            var name = (colon < 0 ? inner : inner[..colon]).ToString();
            var format = colon < 0 ? null : inner[(colon + 1)..].ToString();
            if (args.TryGetValue(name, out var value))
            {
                sb.Append(FormatValue(value, format, culture));
            }
            else
            {
                sb.Append(template, open, close - open + 1);
            }

            i = close + 1;
        }

        return sb.ToString();
    }

    private static string FormatValue(object value, string? format, CultureInfo culture) => value switch
    {
        Msg inner => inner.Format(culture),
        string s => s,
        JsonElement json => FormatJson(json, format, culture),
        IDictionary map when FromMap(map) is { } inner => inner.Format(culture),
        IFormattable f => f.ToString(format, culture),
        IEnumerable list => string.Join(ListSeparator(culture), list.Cast<object>().Select(v => FormatValue(v, format, culture))),
        _ => value.ToString() ?? "",
    };

    // A message that crossed the wire as JSON: its arguments arrive as JSON elements.
    private static string FormatJson(JsonElement json, string? format, CultureInfo culture) => json.ValueKind switch
    {
        JsonValueKind.String => json.GetString() ?? "",
        JsonValueKind.Number when json.TryGetInt64(out var whole) => whole.ToString(format, culture),
        JsonValueKind.Number => json.GetDouble().ToString(format, culture),
        JsonValueKind.Array => string.Join(ListSeparator(culture), json.EnumerateArray().Select(e => FormatJson(e, format, culture))),
        JsonValueKind.Object when Property(json, "key") is { ValueKind: JsonValueKind.String } key =>
            Fill(Template(key.GetString()!, culture) ?? key.GetString()!, ArgsOf(Property(json, "args")), culture),
        _ => json.ToString(),
    };

    private static JsonElement? Property(JsonElement json, string name)
    {
        foreach (var p in json.EnumerateObject())
        {
            if (string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                return p.Value;
            }
        }

        return null;
    }

    private static Dictionary<string, object>? ArgsOf(JsonElement? args) =>
        args is { ValueKind: JsonValueKind.Object } a
            ? a.EnumerateObject().ToDictionary(p => p.Name, p => (object)p.Value, StringComparer.Ordinal)
            : null;

    // A message that crossed the wire as MessagePack: a map with Key and Args.
    private static Msg? FromMap(IDictionary map)
    {
        object? key = null, args = null;
        var entries = map.GetEnumerator();
        while (entries.MoveNext())
        {
            switch (entries.Key as string)
            {
                case "Key" or "key":
                    key = entries.Value;
                    break;
                case "Args" or "args":
                    args = entries.Value;
                    break;
            }
        }

        if (key is not string k)
        {
            return null;
        }

        Dictionary<string, object>? dict = null;
        if (args is IDictionary a)
        {
            dict = new Dictionary<string, object>(StringComparer.Ordinal);
            var e = a.GetEnumerator();
            while (e.MoveNext())
            {
                if (e.Key is string name && e.Value is not null)
                {
                    dict[name] = e.Value;
                }
            }
        }

        return new Msg(k, dict);
    }

    /// <summary>How items of a list are joined in running text: "3, 7, 12" or "3、7、12".</summary>
    public static string ListSeparator(CultureInfo culture) =>
        culture.TwoLetterISOLanguageName == "zh" ? "、" : ", ";
}
