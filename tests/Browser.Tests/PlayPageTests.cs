using Playground.Tests.Common;
using Microsoft.Playwright;
using Xunit;

namespace Playground.Browser.Tests;

public sealed class PlayPageTests(BrowserFixture fixture) : IClassFixture<BrowserFixture>
{
    private static readonly float Timeout = 60_000;

    [Fact(Timeout = 180_000)]
    public async Task A_share_link_restores_the_form_and_a_run_draws_lanes_and_says_the_invariant_held()
    {
        var page = await fixture.Browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1400, Height = 1000 } });
        try
        {
            var link = new Uri(fixture.Site.BaseUri, "play/producer-consumer?consumers=3&items=6&timeScale=0.1");
            await page.GotoAsync(link.ToString());

            // The link restored the form.
            var consumers = page.Locator("[data-param=consumers] input");
            await Assertions.Expect(consumers).ToHaveValueAsync("3", new() { Timeout = Timeout });
            await Assertions.Expect(page.Locator("[data-param=items] input")).ToHaveValueAsync("6");

            // Wait for the interactive circuit before clicking.
            var run = page.Locator(".run-button");
            await Assertions.Expect(run).ToBeEnabledAsync(new() { Timeout = Timeout });
            await Assertions.Expect(page.Locator("[data-interactive=true]")).ToBeVisibleAsync(new() { Timeout = Timeout });
            await run.ClickAsync();

            // Lanes appear: 1 producer + 3 consumers, with events drawn.
            var canvas = page.Locator("canvas[data-lanes]");
            await Assertions.Expect(canvas).ToHaveAttributeAsync("data-lanes", "4", new() { Timeout = Timeout });

            // The verdict says held.
            var verdict = page.Locator(".verdict-held");
            await Assertions.Expect(verdict).ToBeVisibleAsync(new() { Timeout = Timeout });
            await Assertions.Expect(verdict).ToContainTextAsync("held");
            var events = int.Parse(await canvas.GetAttributeAsync("data-events") ?? "0", System.Globalization.CultureInfo.InvariantCulture);
            Assert.True(events > 0, "the timeline received no events");

            var shots = Path.Combine(SiteProcess.RepositoryRoot(), "TestResults", "screenshots");
            Directory.CreateDirectory(shots);
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(shots, "play-producer-consumer.png"), FullPage = true });
        }
        finally
        {
            await page.CloseAsync();
        }
    }

    [Fact(Timeout = 120_000)]
    public async Task A_bad_link_names_the_bad_parameter_and_keeps_the_default()
    {
        var page = await fixture.Browser.NewPageAsync();
        try
        {
            await page.GotoAsync(new Uri(fixture.Site.BaseUri, "play/producer-consumer?consumers=abc").ToString());
            await Assertions.Expect(page.Locator("[data-field=consumers]")).ToBeVisibleAsync(new() { Timeout = Timeout });
            await Assertions.Expect(page.Locator("[data-param=consumers] input")).ToHaveValueAsync("2");
        }
        finally
        {
            await page.CloseAsync();
        }
    }
}
