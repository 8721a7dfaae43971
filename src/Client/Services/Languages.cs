namespace Playground.Client.Services;

/// <summary>A language the site speaks: its short code for links, its culture, its own name.</summary>
public sealed record Language(string Code, string Culture, string NativeName);

/// <summary>The languages of the site and how a choice is carried (cookie, <c>?lang=</c>).</summary>
public static class Languages
{
    public const string CookieName = "pg-lang";
    public const string QueryKey = "lang";

    public static Language English { get; } = new("en", "en", "English");
    public static Language Chinese { get; } = new("zh", "zh-CN", "中文");

    public static IReadOnlyList<Language> All { get; } = [Chinese, English];

    /// <summary>Finds a language by code or culture ("zh", "zh-CN", "zh-TW", "en-GB"...), or null.</summary>
    public static Language? Find(string? value)
    {
        if (string.IsNullOrWhiteSpace(value) || value.Length > 32)
        {
            return null;
        }

        var code = value.Split('-', '_')[0];
        return All.FirstOrDefault(l => string.Equals(l.Code, code, StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>The language of a culture name, English when the site does not speak it.</summary>
    public static Language Of(string cultureName) => Find(cultureName) ?? English;
}
