namespace Playground.Client.Services;

/// <summary>Reading one key of a page's query string.</summary>
public static class QueryText
{
    /// <summary>The value of <paramref name="key"/> in <paramref name="query"/> (the last one when repeated), unescaped; null when absent, blank or malformed.</summary>
    public static string? Value(string query, string key)
    {
        string? found = null;
        foreach (var pair in query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            if (pair.StartsWith(key + "=", StringComparison.OrdinalIgnoreCase))
            {
                try
                {
                    found = Uri.UnescapeDataString(pair[(key.Length + 1)..]);
                }
                catch (UriFormatException)
                {
                    found = null;
                }
            }
        }

        return string.IsNullOrWhiteSpace(found) ? null : found;
    }
}
