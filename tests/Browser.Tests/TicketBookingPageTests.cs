using Playground.Tests.Common;
using Microsoft.Playwright;
using Xunit;

namespace Playground.Browser.Tests;

public sealed class TicketBookingPageTests(BrowserFixture fixture) : IClassFixture<BrowserFixture>
{
    private static readonly float Timeout = 60_000;

    [Fact(Timeout = 180_000)]
    public async Task Ten_buyers_without_a_lock_oversell_the_last_ticket_on_the_page_and_the_verdict_names_them()
    {
        var page = await fixture.Browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1400, Height = 1000 } });
        try
        {
            await page.GotoAsync(new Uri(fixture.Site.BaseUri, "play/ticket-booking?think=0.1").ToString());
            await Assertions.Expect(page.Locator("[data-param=think] input")).ToHaveValueAsync("0.1", new() { Timeout = Timeout });

            var run = page.Locator(".run-button");
            await Assertions.Expect(run).ToBeEnabledAsync(new() { Timeout = Timeout });
            await Assertions.Expect(page.Locator("[data-interactive=true]")).ToBeVisibleAsync(new() { Timeout = Timeout });
            await run.ClickAsync();

            await Assertions.Expect(page.Locator("canvas[data-lanes]")).ToHaveAttributeAsync("data-lanes", "10", new() { Timeout = Timeout });
            var verdict = page.Locator(".verdict-violated");
            await Assertions.Expect(verdict).ToBeVisibleAsync(new() { Timeout = Timeout });
            await Assertions.Expect(verdict).ToContainTextAsync("Oversold:", new() { Timeout = Timeout });
            await Assertions.Expect(verdict).ToContainTextAsync("for 1 ticket(s): buyer-", new() { Timeout = Timeout });
            // The legend explains the star the buyers told "success" carry, in this scenario's words.
            await Assertions.Expect(page.Locator(".timeline-legend-mark[data-mark=mark]")).ToContainTextAsync("told “success”", new() { Timeout = Timeout });
            await Assertions.Expect(page.Locator(".timeline-legend-mark[data-mark=put]")).ToContainTextAsync("wrote the store", new() { Timeout = Timeout });

            var shots = Path.Combine(SiteProcess.RepositoryRoot(), "TestResults", "screenshots");
            Directory.CreateDirectory(shots);
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(shots, "play-ticket-booking.png"), FullPage = true });
        }
        finally
        {
            await page.CloseAsync();
        }
    }
}
