using Playground.Server.Tests.Infrastructure;

namespace Playground.Server.Tests;

/// <summary>Identities are handed out by pages, the API and the hub, never by cacheable static files.</summary>
public sealed class IdentityCookieTests(PlaygroundHost host) : IClassFixture<PlaygroundHost>
{
    private async Task<bool> SetsIdentityAsync(string path)
    {
        using var http = new HttpClient(new HttpClientHandler { UseCookies = false, AllowAutoRedirect = false }) { BaseAddress = host.BaseAddress };
        using var response = await http.GetAsync(path);
        return response.Headers.TryGetValues("Set-Cookie", out var cookies)
            && cookies.Any(c => c.StartsWith("pg.id=", StringComparison.Ordinal));
    }

    [Theory(Timeout = 30_000)]
    [InlineData("")]
    [InlineData("api/runs")]
    [InlineData("play/producer-consumer")]
    public async Task A_page_or_the_API_hands_out_an_identity(string path) =>
        Assert.True(await SetsIdentityAsync(path));

    [Theory(Timeout = 30_000)]
    [InlineData("favicon.svg")]
    [InlineData("_content/Playground.Client/site.js")]
    [InlineData("_framework/blazor.web.js")]
    public async Task A_static_file_hands_out_none(string path) =>
        Assert.False(await SetsIdentityAsync(path));
}
