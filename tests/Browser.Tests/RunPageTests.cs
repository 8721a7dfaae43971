using System.Globalization;
using System.Text.Json;
using Microsoft.Playwright;
using Xunit;

namespace Playground.Browser.Tests;

/// <summary>
/// A run's own page, /runs/{id}: a second browser watches a run someone else started, live, from
/// its first event, without a Stop button; once it ends it replays it from the server's log and
/// the replay ends on the summary's picture. Ids that name no run are a 404 page.
/// </summary>
public sealed class RunPageTests(BrowserFixture fixture) : IClassFixture<BrowserFixture>
{
    private static readonly float Timeout = 60_000;

    [Fact(Timeout = 180_000)]
    public async Task A_second_browser_watches_the_run_live_from_its_first_event_and_replays_it_to_its_final_picture()
    {
        var teacher = await fixture.Browser.NewContextAsync(new() { ViewportSize = new() { Width = 1400, Height = 1000 } });
        var student = await fixture.Browser.NewContextAsync(new() { ViewportSize = new() { Width = 1400, Height = 1000 } });
        try
        {
            var page = await teacher.NewPageAsync();
            // Six buyers, one at a time behind the lock, two seconds each: twelve seconds to watch,
            // however slowly the second browser opens the page.
            await page.GotoAsync(new Uri(fixture.Site.BaseUri, "play/ticket-booking?lang=en&buyers=6&think=1&lock=thread").ToString());
            await Assertions.Expect(page.Locator("[data-interactive=true]")).ToBeVisibleAsync(new() { Timeout = Timeout });
            await page.Locator(".run-button").ClickAsync();
            await Assertions.Expect(page.Locator(".watch-link-button")).ToBeVisibleAsync(new() { Timeout = Timeout });
            var runs = await page.EvaluateAsync<JsonElement>("async () => await (await fetch('api/runs')).json()");
            var id = runs.EnumerateArray().OrderByDescending(r => r.GetProperty("createdAt").GetDateTimeOffset()).First().GetProperty("id").GetString();

            var watcher = await student.NewPageAsync();
            await watcher.GotoAsync(new Uri(fixture.Site.BaseUri, $"runs/{id}").ToString());
            await Assertions.Expect(watcher.Locator("[data-interactive=true]")).ToBeVisibleAsync(new() { Timeout = Timeout });
            var canvas = watcher.Locator("canvas[data-lanes]");
            await Assertions.Expect(canvas).ToHaveAttributeAsync("data-state", "running", new() { Timeout = Timeout });
            await Assertions.Expect(watcher.Locator(".run-about")).ToContainTextAsync("live");
            Assert.Equal(0, await watcher.Locator(".stop-button").CountAsync());
            Assert.Equal(1, await page.Locator(".stop-button").CountAsync());

            await Assertions.Expect(canvas).ToHaveAttributeAsync("data-state", "completed", new() { Timeout = Timeout });
            var run = await watcher.EvaluateAsync<JsonElement>($"async () => await (await fetch('api/runs/{id}')).json()");
            var summary = run.GetProperty("summary");
            // Every event the run recorded, from its first: nothing was missed by coming late.
            await Assertions.Expect(canvas).ToHaveAttributeAsync("data-events", summary.GetProperty("eventCount").GetInt64().ToString(CultureInfo.InvariantCulture), new() { Timeout = Timeout });
            await Assertions.Expect(watcher.Locator(".run-about")).ToContainTextAsync("ended");
            Assert.Empty(await SiteTests.AxeViolationsAsync(watcher));

            // Replay at ten times real speed: it plays, then stops at the end on the whole picture.
            await TimelineChecks.ReplayToTheEndAsync(watcher, canvas, Timeout, seePlaying: true);
            // The last frame counts the whole log: the summary's times, to its rounding.
            await TimelineChecks.AssertDrawnAsSummaryAsync(canvas, [.. summary.GetProperty("actors").EnumerateArray()], 0.06);

            // Back to the whole run.
            await watcher.Locator(".replay-exit").ClickAsync();
            await Assertions.Expect(canvas).ToHaveAttributeAsync("data-replay", "", new() { Timeout = Timeout });
        }
        finally
        {
            await teacher.CloseAsync();
            await student.CloseAsync();
        }
    }

    [Fact(Timeout = 120_000)]
    public async Task A_compare_link_shows_both_runs_on_one_axis_that_zooms_as_one()
    {
        var page = await fixture.Browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1400, Height = 1000 } });
        try
        {
            await page.GotoAsync(new Uri(fixture.Site.BaseUri, "?lang=en").ToString());
            // Lock off against lock on: the same buyers, one run quick and wrong, one slower and right.
            var ids = await page.EvaluateAsync<string[]>(
                """
                async () => {
                  const ids = [];
                  for (const lock of ['none', 'thread']) {
                    const r = await fetch('api/runs', { method: 'POST', headers: { 'Content-Type': 'application/json' },
                      body: JSON.stringify({ scenario: 'ticket-booking', parameters: { buyers: 3, think: 0.05, lock } }) });
                    const id = (await r.json()).id;
                    for (;;) {
                      const info = await (await fetch('api/runs/' + id)).json();
                      if (['completed', 'failed', 'cancelled'].includes(info.state)) break;
                      await new Promise(done => setTimeout(done, 100));
                    }
                    ids.push(id);
                  }
                  return ids;
                }
                """);

            await page.GotoAsync(new Uri(fixture.Site.BaseUri, $"compare?a={ids[0]}&b={ids[1]}").ToString());
            await Assertions.Expect(page.Locator("[data-interactive=true]")).ToBeVisibleAsync(new() { Timeout = Timeout });
            var canvases = page.Locator(".compare-side canvas[data-lanes]");
            await Assertions.Expect(canvases).ToHaveCountAsync(2);
            await Assertions.Expect(canvases.Nth(0)).ToHaveAttributeAsync("data-state", "completed", new() { Timeout = Timeout });
            await Assertions.Expect(canvases.Nth(1)).ToHaveAttributeAsync("data-state", "completed", new() { Timeout = Timeout });
            await Assertions.Expect(page.Locator("[data-row='setting']")).ToContainTextAsync("Lock");
            Assert.Empty(await SiteTests.AxeViolationsAsync(page));

            // One axis: as long as the longer run, on both.
            await Assertions.Expect(canvases.Nth(0)).ToHaveAttributeAsync("data-view", (await canvases.Nth(1).GetAttributeAsync("data-view"))!);
            var before = await canvases.Nth(1).GetAttributeAsync("data-view");
            await canvases.Nth(0).HoverAsync();
            await page.Mouse.WheelAsync(0, -400);
            await Assertions.Expect(canvases.Nth(1)).Not.ToHaveAttributeAsync("data-view", before!, new() { Timeout = Timeout });
            await Assertions.Expect(canvases.Nth(1)).ToHaveAttributeAsync("data-view", (await canvases.Nth(0).GetAttributeAsync("data-view"))!);
        }
        finally
        {
            await page.CloseAsync();
        }
    }

    [Theory(Timeout = 60_000)]
    [InlineData("abcdefghij")]
    [InlineData("not-a-run")]
    [InlineData("%3Cscript%3E")]
    public async Task An_id_that_names_no_run_is_a_not_found_page(string id)
    {
        var page = await fixture.Browser.NewPageAsync();
        try
        {
            var response = await page.GotoAsync(new Uri(fixture.Site.BaseUri, $"runs/{id}").ToString());

            Assert.Equal(404, response!.Status);
            await Assertions.Expect(page.Locator("h1")).ToContainTextAsync("not found");
        }
        finally
        {
            await page.CloseAsync();
        }
    }
}
