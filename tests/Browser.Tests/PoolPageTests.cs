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

    [Fact(Timeout = 240_000)]
    public async Task A_speed_up_sweep_draws_a_curve_per_executor_and_its_link_shows_the_same_result_to_another_browser()
    {
        var owner = await fixture.Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1400, Height = 1000 } });
        var stranger = await fixture.Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 390, Height = 844 }, IsMobile = true });
        try
        {
            var page = await owner.NewPageAsync();
            // Sleeping tasks, quick: threads and async tasks both climb with the pool size.
            await page.GotoAsync(new Uri(fixture.Site.BaseUri, "play/pool?lang=en&tasks=6&taskKind=io&taskDuration=0.2&timeScale=0.2").ToString());
            await Assertions.Expect(page.Locator("[data-interactive=true]")).ToBeVisibleAsync(new() { Timeout = Timeout });
            var panel = page.Locator("#comparison-panel");
            await Assertions.Expect(panel.Locator(".comparison[data-comparison=sweep]")).ToBeVisibleAsync(new() { Timeout = Timeout });

            await panel.Locator(".comparison-repeat input").FillAsync("1");
            await panel.Locator(".comparison-top input").FillAsync("3");
            await panel.Locator("input[data-option=processPool]").UncheckAsync();
            await panel.Locator("input[data-option=async]").CheckAsync();
            var start = panel.Locator(".comparison-start");
            await Assertions.Expect(start).ToContainTextAsync("6 runs", new() { Timeout = Timeout });
            await start.ClickAsync();

            var result = panel.Locator(".comparison-result[data-state=completed]");
            await Assertions.Expect(result).ToBeVisibleAsync(new() { Timeout = 120_000 });
            await Assertions.Expect(result.Locator(".speedup-series")).ToHaveCountAsync(2);
            await Assertions.Expect(result.Locator(".speedup-point")).ToHaveCountAsync(6);
            await Assertions.Expect(result.Locator(".comparison-table tbody tr")).ToHaveCountAsync(6);
            var batchId = await result.GetAttributeAsync("data-batch");
            var link = await result.Locator(".comparison-link input").InputValueAsync();
            Assert.Contains($"batch={batchId}", link, StringComparison.Ordinal);
            Assert.Contains("compare=sweep", link, StringComparison.Ordinal);
            Assert.Empty(await SiteTests.AxeViolationsAsync(page));

            var shots = Path.Combine(SiteProcess.RepositoryRoot(), "TestResults", "screenshots");
            Directory.CreateDirectory(shots);
            await panel.ScreenshotAsync(new LocatorScreenshotOptions { Path = Path.Combine(shots, "pool-sweep.png") });

            // Someone else opens the link: the same result, with its setup in the form (that only the
            // owner may stop a live one is the client tests' and the API's to show).
            var other = await stranger.NewPageAsync();
            await other.GotoAsync(link);
            await Assertions.Expect(other.Locator("[data-interactive=true]")).ToBeVisibleAsync(new() { Timeout = Timeout });
            await Assertions.Expect(other.Locator($".comparison-result[data-batch={batchId}]")).ToBeVisibleAsync(new() { Timeout = Timeout });
            await Assertions.Expect(other.Locator(".speedup-point")).ToHaveCountAsync(6);
            await Assertions.Expect(other.Locator("[data-param=tasks] input")).ToHaveValueAsync("6");
            await Assertions.Expect(other.Locator(".link-errors")).ToHaveCountAsync(0);
            Assert.True(await other.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= window.innerWidth"), "the page scrolls sideways on a phone");
        }
        finally
        {
            await owner.CloseAsync();
            await stranger.CloseAsync();
        }
    }
}
