using Playground.Tests.Common;
using Microsoft.Playwright;
using Xunit;

namespace Playground.Browser.Tests;

/// <summary>Losing the server mid-visit: a banner in the reader's language, the last state kept.</summary>
public sealed class ConnectionLossTests(BrowserFixture fixture) : IClassFixture<BrowserFixture>
{
    [Fact(Timeout = 180_000)]
    public async Task Losing_the_server_shows_a_banner_in_the_readers_language_and_keeps_the_run()
    {
        // A site of its own, so stopping it leaves the shared one alone.
        var site = await SiteProcess.StartAsync();
        var context = await fixture.Browser.NewContextAsync(new()
        {
            ViewportSize = new() { Width = 1400, Height = 1000 },
            Locale = "zh-CN",
            ExtraHTTPHeaders = new Dictionary<string, string> { ["Accept-Language"] = "zh-CN" },
        });
        var page = await context.NewPageAsync();
        var errors = new List<string>();
        page.Console += (_, m) =>
        {
            // The browser itself reports refused requests and sockets; anything else is the page's.
            if (m.Type == "error" && !m.Text.StartsWith("Failed to load resource", StringComparison.Ordinal)
                && !m.Text.StartsWith("WebSocket connection to", StringComparison.Ordinal))
            {
                errors.Add(m.Text);
            }
        };
        page.PageError += (_, e) => errors.Add("uncaught: " + e);
        try
        {
            await page.GotoAsync(new Uri(site.BaseUri, "play/producer-consumer?items=4&timeScale=0.1").ToString());
            await Assertions.Expect(page.Locator("[data-interactive=true]")).ToBeVisibleAsync(new() { Timeout = 60_000 });
            await page.Locator(".run-button").ClickAsync();
            await Assertions.Expect(page.Locator(".run-summary")).ToBeVisibleAsync(new() { Timeout = 60_000 });
            // The timeline's scripts come from the server too: the page is whole once its canvas is.
            var canvas = page.Locator(".timeline-root canvas").First;
            await Assertions.Expect(canvas).ToBeVisibleAsync(new() { Timeout = 60_000 });

            await site.DisposeAsync();

            var banner = page.Locator("#components-reconnect-modal");
            await Assertions.Expect(banner).ToBeVisibleAsync(new() { Timeout = 30_000 });
            await Assertions.Expect(banner).ToContainTextAsync("与服务器的连接断开了");
            await Assertions.Expect(page.Locator(".run-summary")).ToBeVisibleAsync();
            await Assertions.Expect(page.Locator(".verdict-held")).ToBeVisibleAsync();

            // Zooming the timeline with the server gone still works, and its word to the server
            // (the view is no longer following) fails quietly.
            await canvas.HoverAsync();
            await page.Mouse.WheelAsync(0, -400);
            await page.WaitForTimeoutAsync(500);
            Assert.DoesNotContain("WebSocket", await page.Locator(".timeline-root").InnerTextAsync(), StringComparison.Ordinal);
            Assert.True(errors.Count == 0, string.Join("\n", errors));
        }
        finally
        {
            await context.CloseAsync();
            await site.DisposeAsync();
        }
    }
}
