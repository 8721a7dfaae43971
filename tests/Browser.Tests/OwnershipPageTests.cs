using System.Text.Json;
using Microsoft.Playwright;
using Xunit;

namespace Playground.Browser.Tests;

public sealed class OwnershipPageTests(BrowserFixture fixture) : IClassFixture<BrowserFixture>
{
    private static readonly float Timeout = 60_000;

    [Fact(Timeout = 180_000)]
    public async Task A_run_started_on_the_page_belongs_to_the_browsers_identity_cookie()
    {
        await using var browser = await fixture.Browser.NewContextAsync();
        await using var stranger = await fixture.Browser.NewContextAsync();
        var page = await browser.NewPageAsync();
        await page.GotoAsync(new Uri(fixture.Site.BaseUri, "play/producer-consumer?items=6&timeScale=0.05").ToString());
        var run = page.Locator(".run-button");
        await Assertions.Expect(page.Locator("[data-interactive=true]")).ToBeVisibleAsync(new() { Timeout = Timeout });
        await Assertions.Expect(run).ToBeEnabledAsync(new() { Timeout = Timeout });

        await run.ClickAsync();
        await Assertions.Expect(page.Locator(".verdict-held")).ToBeVisibleAsync(new() { Timeout = Timeout });

        // The API, asked with the same cookie jar, lists the page's run as the caller's own;
        // another browser (another identity) sees none of it.
        var mine = await RunIdsAsync(browser.APIRequest);
        var theirs = await RunIdsAsync(stranger.APIRequest);
        Assert.Single(mine);
        Assert.Empty(theirs);
        var cookie = Assert.Single(await browser.CookiesAsync(), c => c.Name == "pg.id");
        Assert.True(cookie.HttpOnly);
    }

    private async Task<List<string>> RunIdsAsync(IAPIRequestContext api)
    {
        var response = await api.GetAsync(new Uri(fixture.Site.BaseUri, "api/runs").ToString());
        Assert.True(response.Ok, $"GET /api/runs answered {response.Status}");
        using var json = JsonDocument.Parse(await response.TextAsync());
        return [.. json.RootElement.EnumerateArray().Select(r => r.GetProperty("id").GetString()!)];
    }
}
