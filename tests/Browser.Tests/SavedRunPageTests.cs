using System.Globalization;
using System.Text.Json;
using Microsoft.Playwright;
using Playground.Tests.Common;
using Xunit;

namespace Playground.Browser.Tests;

/// <summary>
/// The teacher's oversell, kept: saved from its page, its watch link reopens it in another browser
/// after the server restarts, replays it to the same final picture, and lists it among the saved.
/// </summary>
public sealed class SavedRunPageTests(BrowserFixture fixture) : IClassFixture<BrowserFixture>
{
    private static readonly float Timeout = 60_000;

    [Fact(Timeout = 240_000)]
    public async Task A_saved_oversell_reopens_and_replays_in_another_browser_after_a_restart()
    {
        var database = Path.Combine(Path.GetTempPath(), $"pg-saved-test-{Guid.NewGuid():N}.db");
        var site = await SiteProcess.StartAsync(database);
        SiteProcess? restarted = null;
        try
        {
            var teacher = await fixture.Browser.NewContextAsync(new() { ViewportSize = new() { Width = 1400, Height = 1000 } });
            var page = await teacher.NewPageAsync();
            // No lock, four buyers, one ticket: each reads "1 left" before anyone writes.
            await page.GotoAsync(new Uri(site.BaseUri, "play/ticket-booking?lang=en&buyers=4&think=0.2&lock=none").ToString());
            await Assertions.Expect(page.Locator("[data-interactive=true]")).ToBeVisibleAsync(new() { Timeout = Timeout });
            await page.Locator(".run-button").ClickAsync();
            await Assertions.Expect(page.Locator(".verdict-violated")).ToBeVisibleAsync(new() { Timeout = Timeout });
            await page.Locator(".save-run").ClickAsync();
            await Assertions.Expect(page.Locator(".saved-chip")).ToBeVisibleAsync(new() { Timeout = Timeout });
            var runs = await page.EvaluateAsync<JsonElement>("async () => await (await fetch('api/runs')).json()");
            var run = runs.EnumerateArray().Single();
            var id = run.GetProperty("id").GetString();
            var eventCount = run.GetProperty("summary").GetProperty("eventCount").GetInt64();
            await teacher.CloseAsync();

            await site.DisposeAsync();
            restarted = await SiteProcess.StartAsync(database);

            var student = await fixture.Browser.NewContextAsync(new() { ViewportSize = new() { Width = 1400, Height = 1000 } });
            var watcher = await student.NewPageAsync();
            var response = await watcher.GotoAsync(new Uri(restarted.BaseUri, $"runs/{id}").ToString());
            Assert.Equal(200, response!.Status);
            await Assertions.Expect(watcher.Locator("[data-interactive=true]")).ToBeVisibleAsync(new() { Timeout = Timeout });
            await Assertions.Expect(watcher.Locator(".verdict-violated")).ToBeVisibleAsync(new() { Timeout = Timeout });
            await Assertions.Expect(watcher.Locator(".saved-chip")).ToBeVisibleAsync();
            // Not the owner here: no Save, no Delete.
            Assert.Equal(0, await watcher.Locator(".delete-saved").CountAsync());
            var canvas = watcher.Locator("canvas[data-lanes]");
            await Assertions.Expect(canvas).ToHaveAttributeAsync("data-state", "completed", new() { Timeout = Timeout });
            await Assertions.Expect(canvas).ToHaveAttributeAsync("data-events", eventCount.ToString(CultureInfo.InvariantCulture), new() { Timeout = Timeout });

            await TimelineChecks.ReplayToTheEndAsync(watcher, canvas, Timeout, seePlaying: false);
            var saved = await watcher.EvaluateAsync<JsonElement>($"async () => await (await fetch('api/runs/{id}')).json()");
            await TimelineChecks.AssertDrawnAsSummaryAsync(canvas, [.. saved.GetProperty("summary").GetProperty("actors").EnumerateArray()], 0.06);

            await student.CloseAsync();
        }
        finally
        {
            await site.DisposeAsync();
            if (restarted is not null)
            {
                await restarted.DisposeAsync();
            }

            foreach (var file in new[] { database, database + "-wal", database + "-shm" })
            {
                File.Delete(file);
            }
        }
    }
}
