using Playground.Tests.Common;
using Microsoft.Playwright;
using Xunit;

namespace Playground.Browser.Tests;

public sealed class EventPageTests(BrowserFixture fixture) : IClassFixture<BrowserFixture>
{
    private static readonly float Timeout = 60_000;

    [Fact(Timeout = 180_000)]
    public async Task The_boss_and_three_workers_run_on_the_page_and_the_verdict_holds()
    {
        var page = await fixture.Browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1400, Height = 1000 } });
        try
        {
            await page.GotoAsync(new Uri(fixture.Site.BaseUri, "play/event?workers=3&timeScale=0.2").ToString());
            await Assertions.Expect(page.Locator("[data-param=workers] input")).ToHaveValueAsync("3", new() { Timeout = Timeout });

            var run = page.Locator(".run-button");
            await Assertions.Expect(run).ToBeEnabledAsync(new() { Timeout = Timeout });
            await Assertions.Expect(page.Locator("[data-interactive=true]")).ToBeVisibleAsync(new() { Timeout = Timeout });
            await run.ClickAsync();

            // Three workers and the boss.
            var canvas = page.Locator("canvas[data-lanes]");
            await Assertions.Expect(canvas).ToHaveAttributeAsync("data-lanes", "4", new() { Timeout = Timeout });
            var verdict = page.Locator(".verdict-held");
            await Assertions.Expect(verdict).ToBeVisibleAsync(new() { Timeout = Timeout });
            await Assertions.Expect(page.Locator("body")).ToContainTextAsync("woke", new() { Timeout = Timeout });

            var shots = Path.Combine(SiteProcess.RepositoryRoot(), "TestResults", "screenshots");
            Directory.CreateDirectory(shots);
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(shots, "play-event.png"), FullPage = true });
        }
        finally
        {
            await page.CloseAsync();
        }
    }
}
