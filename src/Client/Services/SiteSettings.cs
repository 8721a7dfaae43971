namespace Playground.Client.Services;

/// <summary>What the first request knew of the reader's choices, cascaded to every page.</summary>
/// <param name="ExplicitLanguage">"zh" or "en" when the reader chose a language, else null.</param>
/// <param name="Theme">The theme the reader chose.</param>
public sealed record SiteSettings(string? ExplicitLanguage, ThemeChoice Theme);
