namespace Playground.Client.Services;

/// <summary>What the first request knew of the reader's choices, cascaded to every page.</summary>
/// <param name="ExplicitLanguage">"zh" or "en" when the reader chose a language, else null.</param>
/// <param name="Theme">The theme the reader chose.</param>
/// <param name="SystemDark">The system's scheme was dark when the browser last said (a first guess before it says again).</param>
public sealed record SiteSettings(string? ExplicitLanguage, ThemeChoice Theme, bool SystemDark = false);
