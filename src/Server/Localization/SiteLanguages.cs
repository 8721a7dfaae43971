using System.Globalization;
using Microsoft.AspNetCore.Localization;
using Playground.Client.Services;

namespace Playground.Server.Localization;

/// <summary>
/// The site speaks English and Chinese. The language of a request comes from, in order: a
/// <c>?lang=zh</c> / <c>?lang=en</c> in the address (share links carry it when the sharer chose a
/// language), the cookie the language switch sets, and the browser's <c>Accept-Language</c>.
/// </summary>
public static class SiteLanguages
{
    public static IApplicationBuilder UseSiteLanguages(this IApplicationBuilder app) =>
        app.UseRequestLocalization(o =>
        {
            var cultures = Languages.All.Select(l => new CultureInfo(l.Culture)).ToList();
            o.DefaultRequestCulture = new RequestCulture(Languages.English.Culture);
            o.SupportedCultures = cultures;
            o.SupportedUICultures = cultures;
            o.RequestCultureProviders =
            [
                new CustomRequestCultureProvider(ctx => Task.FromResult(FromQuery(ctx))),
                new CookieRequestCultureProvider { CookieName = Languages.CookieName },
                new CustomRequestCultureProvider(ctx => Task.FromResult(FromAcceptLanguage(ctx))),
            ];
        });

    /// <summary>
    /// <c>GET /language?set=zh&amp;return=/play/...</c>: remembers the choice in a cookie for a year
    /// and goes back to the page (only to a path of this site).
    /// </summary>
    public static IEndpointRouteBuilder MapLanguageSwitch(this IEndpointRouteBuilder app)
    {
        app.MapGet("/language", (string? set, string? @return, HttpContext http) =>
        {
            var language = Languages.Find(set);
            if (language is null)
            {
                return Results.Problem(statusCode: StatusCodes.Status400BadRequest,
                    detail: "set must be one of: " + string.Join(", ", Languages.All.Select(l => l.Code)));
            }

            http.Response.Cookies.Append(Languages.CookieName,
                CookieRequestCultureProvider.MakeCookieValue(new RequestCulture(language.Culture)),
                new CookieOptions
                {
                    Expires = DateTimeOffset.UtcNow.AddYears(1),
                    HttpOnly = true,
                    IsEssential = true,
                    SameSite = SameSiteMode.Lax,
                    Secure = http.Request.IsHttps,
                });
            return Results.LocalRedirect(SafeReturn(@return));
        }).ExcludeFromDescription();
        return app;
    }

    private static ProviderCultureResult? FromQuery(HttpContext http) =>
        Languages.Find(http.Request.Query[Languages.QueryKey].ToString()) is { } l ? new ProviderCultureResult(l.Culture) : null;

    // zh, zh-TW, zh-Hans... all read the Chinese pages; anything else falls through to English.
    private static ProviderCultureResult? FromAcceptLanguage(HttpContext http)
    {
        foreach (var value in http.Request.GetTypedHeaders().AcceptLanguage.OrderByDescending(v => v.Quality ?? 1))
        {
            if (Languages.Find(value.Value.Value) is { } l)
            {
                return new ProviderCultureResult(l.Culture);
            }
        }

        return null;
    }

    private static string SafeReturn(string? path) =>
        path is { Length: > 0 and < 2048 } && path.StartsWith('/') && !path.StartsWith("//", StringComparison.Ordinal)
            && !path.StartsWith("/\\", StringComparison.Ordinal)
            ? path
            : "/";
}
