using Playground.Tests.Common;
using System.Text.Json;
using Microsoft.Playwright;
using Xunit;

namespace Playground.Browser.Tests;

/// <summary>The site as a learner meets it: phones, both languages, both themes, axe, no console errors, 404s.</summary>
public sealed class SiteTests(BrowserFixture fixture) : IClassFixture<BrowserFixture>
{
    private static readonly float Timeout = 60_000;

    private Uri Url(string relative) => new(fixture.Site.BaseUri, relative);

    private async Task<(IBrowserContext Context, IPage Page, List<string> Errors)> OpenAsync(BrowserNewContextOptions options)
    {
        var context = await fixture.Browser.NewContextAsync(options);
        var page = await context.NewPageAsync();
        var errors = new List<string>();
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                errors.Add($"{message.Type}: {message.Text}");
            }
        };
        page.PageError += (_, error) => errors.Add("uncaught: " + error);
        return (context, page, errors);
    }

    private static async Task WaitInteractiveAsync(IPage page)
    {
        await Assertions.Expect(page.Locator("[data-interactive=true]")).ToBeVisibleAsync(new() { Timeout = Timeout });
        await Assertions.Expect(page.Locator(".run-button")).ToBeEnabledAsync(new() { Timeout = Timeout });
    }

    internal static async Task<List<string>> AxeViolationsAsync(IPage page)
    {
        await page.AddScriptTagAsync(new() { Path = Path.Combine(AppContext.BaseDirectory, "axe.min.js") });
        var json = await page.EvaluateAsync<JsonElement>(
            "async () => (await axe.run(document, { resultTypes: ['violations'] })).violations" +
            ".map(v => v.id + ': ' + v.nodes.map(n => n.target.join(' ')).slice(0, 3).join(' | '))");
        return json.EnumerateArray().Select(v => v.GetString()!).ToList();
    }

    [Fact(Timeout = 180_000)]
    public async Task On_a_phone_the_default_scenario_runs_and_draws_its_lanes()
    {
        var (context, page, errors) = await OpenAsync(new()
        {
            ViewportSize = new() { Width = 390, Height = 844 },
            IsMobile = true,
            HasTouch = true,
            Locale = "zh-CN",
            ExtraHTTPHeaders = new Dictionary<string, string> { ["Accept-Language"] = "zh-CN" },
        });
        try
        {
            await page.GotoAsync(Url("play/producer-consumer?timeScale=0.1").ToString());
            await WaitInteractiveAsync(page);
            await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("生产者与消费者");

            // The app bar fits on one line: no wider than the screen, one bar high.
            var bar = await page.Locator(".app-bar").BoundingBoxAsync();
            Assert.NotNull(bar);
            Assert.True(bar.Height <= 64, $"the app bar is {bar.Height}px high");
            Assert.True(await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= window.innerWidth"), "the page scrolls sideways");

            await page.Locator(".run-button").TapAsync();
            var canvas = page.Locator("canvas[data-lanes]");
            await Assertions.Expect(canvas).ToHaveAttributeAsync("data-lanes", "3", new() { Timeout = Timeout });
            await Assertions.Expect(page.Locator(".run-summary")).ToBeVisibleAsync(new() { Timeout = Timeout });
            await Assertions.Expect(page.Locator(".verdict-held")).ToContainTextAsync("不变式成立");

            // Run brought the timeline into view.
            var box = await page.Locator(".timeline-card").BoundingBoxAsync();
            Assert.NotNull(box);
            Assert.True(box.Y < 844, $"the timeline starts at {box.Y}px, below the screen");
            Assert.Empty(await AxeViolationsAsync(page));
            Assert.Empty(errors);

            var shots = Path.Combine(SiteProcess.RepositoryRoot(), "TestResults", "screenshots");
            Directory.CreateDirectory(shots);
            await page.ScreenshotAsync(new() { Path = Path.Combine(shots, "phone-zh.png") });
        }
        finally
        {
            await context.CloseAsync();
        }
    }

    [Fact(Timeout = 120_000)]
    public async Task Chinese_readers_get_Chinese_and_the_switch_to_English_is_remembered()
    {
        var (context, page, errors) = await OpenAsync(new()
        {
            Locale = "zh-CN",
            ExtraHTTPHeaders = new Dictionary<string, string> { ["Accept-Language"] = "zh-CN,zh;q=0.9" },
        });
        try
        {
            await page.GotoAsync(Url("play/producer-consumer?consumers=3").ToString());
            await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("生产者与消费者");
            Assert.Equal("zh-CN", await page.Locator("html").GetAttributeAsync("lang"));

            await page.Locator("a[data-lang=en]").ClickAsync();
            await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("Producer / consumer", new() { Timeout = Timeout });
            Assert.EndsWith("/play/producer-consumer?consumers=3", page.Url, StringComparison.Ordinal);

            // The choice is kept in a cookie, and share links now carry it.
            await page.ReloadAsync();
            await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("Producer / consumer");
            await WaitInteractiveAsync(page);
            await Assertions.Expect(page.Locator(".share-field input")).ToHaveValueAsync(new System.Text.RegularExpressions.Regex("consumers=3&lang=en$"));
            Assert.Empty(errors);
        }
        finally
        {
            await context.CloseAsync();
        }
    }

    [Fact(Timeout = 120_000)]
    public async Task A_link_with_lang_keeps_its_language_once_the_page_is_live()
    {
        var (context, page, errors) = await OpenAsync(new()
        {
            Locale = "en-US",
            ExtraHTTPHeaders = new Dictionary<string, string> { ["Accept-Language"] = "en-US" },
        });
        try
        {
            await page.GotoAsync(Url("play/producer-consumer?items=3&timeScale=0.1&lang=zh").ToString());
            await WaitInteractiveAsync(page);
            await page.Locator(".run-button").ClickAsync();

            // Texts rendered by the live page, after the link's query is gone from its requests.
            await Assertions.Expect(page.Locator(".verdict-held")).ToContainTextAsync("不变式成立", new() { Timeout = Timeout });
            await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("生产者与消费者");
            Assert.Empty(errors);
        }
        finally
        {
            await context.CloseAsync();
        }
    }

    [Theory(Timeout = 180_000)]
    [InlineData("light")]
    [InlineData("dark")]
    public async Task Axe_finds_nothing_on_the_gallery_and_the_play_page(string scheme)
    {
        var (context, page, errors) = await OpenAsync(new()
        {
            ViewportSize = new() { Width = 1400, Height = 1000 },
            ColorScheme = scheme == "dark" ? ColorScheme.Dark : ColorScheme.Light,
        });
        try
        {
            await page.GotoAsync(Url("").ToString());
            await Assertions.Expect(page.Locator("a[data-scenario=producer-consumer]")).ToBeVisibleAsync(new() { Timeout = Timeout });
            await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
            Assert.Empty(await AxeViolationsAsync(page));

            await page.GotoAsync(Url("play/producer-consumer?items=4&timeScale=0.1").ToString());
            await WaitInteractiveAsync(page);
            await Assertions.Expect(page.Locator(".app-bar").Locator("xpath=ancestor::*[contains(@class,'theme-" + scheme + "')]")).ToHaveCountAsync(1, new() { Timeout = Timeout });
            await page.Locator(".run-button").ClickAsync();
            await Assertions.Expect(page.Locator(".run-summary")).ToBeVisibleAsync(new() { Timeout = Timeout });
            Assert.Empty(await AxeViolationsAsync(page));
            Assert.Empty(errors);
        }
        finally
        {
            await context.CloseAsync();
        }
    }

    [Fact(Timeout = 120_000)]
    public async Task A_run_and_a_stop_leave_no_error_in_the_console()
    {
        var (context, page, errors) = await OpenAsync(new() { ViewportSize = new() { Width = 1400, Height = 1000 } });
        try
        {
            // About 35 s at this speed: Stop always comes first.
            await page.GotoAsync(Url("play/producer-consumer?items=2000&timeScale=0.05").ToString());
            await WaitInteractiveAsync(page);
            await page.Locator(".run-button").ClickAsync();
            await Assertions.Expect(page.Locator(".run-state[data-state=running]").First).ToBeVisibleAsync(new() { Timeout = Timeout });
            await page.Locator(".stop-button").ClickAsync();
            await Assertions.Expect(page.Locator(".run-state[data-state=cancelled]").First).ToBeVisibleAsync(new() { Timeout = Timeout });
            await page.GotoAsync(Url("").ToString());
            await Assertions.Expect(page.Locator("a[data-scenario=producer-consumer]")).ToBeVisibleAsync();
            Assert.Empty(errors);
        }
        finally
        {
            await context.CloseAsync();
        }
    }

    [Theory(Timeout = 60_000)]
    [InlineData("nothing/here")]
    [InlineData("play/nope")]
    [InlineData("not-found")]
    public async Task An_unknown_address_is_a_404_page_of_the_site(string path)
    {
        var (context, page, _) = await OpenAsync(new());
        try
        {
            var response = await page.GotoAsync(Url(path).ToString());
            Assert.NotNull(response);
            Assert.Equal(404, response.Status);
            await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("Page not found");
            await Assertions.Expect(page.Locator(".app-bar")).ToBeVisibleAsync();
            await Assertions.Expect(page.Locator("main [href='']")).ToBeVisibleAsync();
            // The title is set by the live page too; wait for it rather than read it once.
            await Assertions.Expect(page).ToHaveTitleAsync(new System.Text.RegularExpressions.Regex("Page not found"), new() { Timeout = Timeout });
        }
        finally
        {
            await context.CloseAsync();
        }
    }
}
