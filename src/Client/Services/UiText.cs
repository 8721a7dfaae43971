using System.Globalization;
using Microsoft.Extensions.Localization;
using Playground.Client.Resources;
using Playground.Shared.Text;

namespace Playground.Client.Services;

/// <summary>Page texts with named arguments, durations and numbers, all in the reader's culture.</summary>
public static class UiText
{
    /// <summary>The text <paramref name="key"/> (of the page, or of the timeline) with its <c>{name}</c> placeholders filled.</summary>
    public static string Format(this IStringLocalizer l, string key, params (string Name, object Value)[] args) =>
        Msg.Fill(l[key], args.ToDictionary(a => a.Name, a => a.Value, StringComparer.Ordinal), CultureInfo.CurrentUICulture);

    /// <summary>"320 ms", "1.25 s", "2 min 5 s" (毫秒, 秒 in Chinese).</summary>
    public static string Duration(this IStringLocalizer<Ui> l, double ms) => ms switch
    {
        < 1000 => l.Format("duration.ms", ("value", ms)),
        < 120_000 => l.Format("duration.s", ("value", ms / 1000)),
        _ => l.Format("duration.min", ("minutes", Math.Floor(ms / 60_000)), ("seconds", Math.Round(ms % 60_000 / 1000))),
    };

    /// <summary>A whole number with group separators, other numbers with up to three decimals.</summary>
    public static string Number(double v) =>
        Math.Abs(v - Math.Round(v)) < 1e-9
            ? v.ToString("N0", CultureInfo.CurrentCulture)
            : v.ToString("#,0.###", CultureInfo.CurrentCulture);

    /// <summary>"a, b and c" / "a、b和c".</summary>
    public static string JoinAnd(this IStringLocalizer<Ui> l, IReadOnlyList<string> items) => items.Count switch
    {
        0 => "",
        1 => items[0],
        _ => l.Format("play.listAnd",
            ("first", string.Join(Msg.ListSeparator(CultureInfo.CurrentUICulture), items.Take(items.Count - 1))),
            ("last", items[^1])),
    };
}
