using Playground.Tests.Common;
using Microsoft.Playwright;
using Xunit;

namespace Playground.Browser.Tests;

public sealed class PoolPageTests(BrowserFixture fixture) : IClassFixture<BrowserFixture>
{
    private static readonly float Timeout = 60_000;

    [Fact(Timeout = 180_000)]
    public async Task A_process_pool_of_two_runs_on_the_page_with_a_lane_per_child_and_the_verdict_holds()
    {
        var page = await fixture.Browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1400, Height = 1000 } });
        try
        {
            await page.GotoAsync(new Uri(fixture.Site.BaseUri, "play/pool?tasks=6&poolSize=2&executor=processPool&timeScale=0.1").ToString());
            await Assertions.Expect(page.Locator("[data-param=tasks] input")).ToHaveValueAsync("6", new() { Timeout = Timeout });
            // The executor says where the actors run: there is no mode row.
            await Assertions.Expect(page.Locator(".mode-selector")).ToHaveCountAsync(0);

            var run = page.Locator(".run-button");
            await Assertions.Expect(run).ToBeEnabledAsync(new() { Timeout = Timeout });
            await Assertions.Expect(page.Locator("[data-interactive=true]")).ToBeVisibleAsync(new() { Timeout = Timeout });
            await run.ClickAsync();

            // The parent and two worker processes; the chart of tasks pending.
            var canvas = page.Locator("canvas[data-lanes]");
            await Assertions.Expect(canvas).ToHaveAttributeAsync("data-lanes", "3", new() { Timeout = Timeout });
            await Assertions.Expect(canvas).ToHaveAttributeAsync("data-gauges", "pending", new() { Timeout = Timeout });
            await Assertions.Expect(page.Locator(".verdict-held")).ToBeVisibleAsync(new() { Timeout = Timeout });
            await Assertions.Expect(page.Locator("body")).ToContainTextAsync("Callbacks ran in completion order", new() { Timeout = Timeout });
            await Assertions.Expect(page.Locator("body")).ToContainTextAsync("Child processes started (distinct pids)", new() { Timeout = Timeout });

            var shots = Path.Combine(SiteProcess.RepositoryRoot(), "TestResults", "screenshots");
            Directory.CreateDirectory(shots);
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(shots, "play-pool.png"), FullPage = true });
        }
        finally
        {
            await page.CloseAsync();
        }
    }
}
