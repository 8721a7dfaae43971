namespace Playground.Shared.Runs;

/// <summary>
/// The link that names two runs side by side, <c>/compare?a=…&amp;b=…</c>, and the reading of what a
/// reader pastes to name a run: its id, or any link that ends in one (<c>https://…/runs/abcdefghij</c>).
/// </summary>
public static class CompareLink
{
    public const string Path = "compare";
    public const string First = "a";
    public const string Second = "b";

    /// <summary>The compare page's address (relative to the site's base) for runs <paramref name="a"/> and <paramref name="b"/>.</summary>
    public static string Of(string a, string b) =>
        $"{Path}?{First}={Uri.EscapeDataString(a)}&{Second}={Uri.EscapeDataString(b)}";

    /// <summary>The run id in a pasted id or link, or null when there is none. Never throws.</summary>
    public static string? RunIdIn(string? text)
    {
        if (string.IsNullOrWhiteSpace(text) || text.Length > 2_000)
        {
            return null;
        }

        var s = text.Trim();
        // A link's query and fragment are not part of the id.
        var cut = s.IndexOfAny(['?', '#']);
        if (cut >= 0)
        {
            s = s[..cut];
        }

        s = s.TrimEnd('/');
        var slash = s.LastIndexOf('/');
        var id = slash >= 0 ? s[(slash + 1)..] : s;
        return RunIds.IsWellFormed(id) ? id : null;
    }
}
