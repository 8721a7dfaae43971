namespace Playground.Client.Services;

/// <summary>The reader's theme choice, kept in a cookie: follow the system, or always light or dark.</summary>
public enum ThemeChoice
{
    System,
    Light,
    Dark,
}

public static class SiteTheme
{
    public const string CookieName = "pg-theme";

    /// <summary>The system's scheme as the browser last reported it ("dark"/"light"), so a page can start in it.</summary>
    public const string SchemeCookieName = "pg-scheme";

    public static ThemeChoice Parse(string? value) => value switch
    {
        "light" => ThemeChoice.Light,
        "dark" => ThemeChoice.Dark,
        _ => ThemeChoice.System,
    };

    public static string ToCookie(ThemeChoice choice) => choice.ToString().ToLowerInvariant();

    public static ThemeChoice Next(ThemeChoice choice) => choice switch
    {
        ThemeChoice.System => ThemeChoice.Light,
        ThemeChoice.Light => ThemeChoice.Dark,
        _ => ThemeChoice.System,
    };
}
