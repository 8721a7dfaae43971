using System.Globalization;
using System.Text.Json;
using Microsoft.Playwright;
using Playground.Tests.Common;
using Xunit;

namespace Playground.Browser.Tests;

/// <summary>
/// A run too busy for the live stream (eight cooks, eight eaters, ten thousand buns each, no
/// delays): once it ends, the page draws it from the server's level-of-detail tiles — each lane's
/// time per state agreeing with the summary — and zooming to a millisecond shows single events.
/// </summary>
public sealed class TimelineDetailTests(BrowserFixture fixture) : IClassFixture<BrowserFixture>
{
    private static readonly float Timeout = 90_000;

    [Fact(Timeout = 240_000)]
    public async Task A_busy_runs_picture_comes_whole_from_the_log_and_a_millisecond_shows_its_events()
    {
        var page = await fixture.Browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1400, Height = 1000 } });
        try
        {
            await page.GotoAsync(new Uri(fixture.Site.BaseUri, "play/producer-consumer?lang=en&producers=8&consumers=8&items=10000&produceDelay=0&consumeDelay=0").ToString());
            await Assertions.Expect(page.Locator("[data-interactive=true]")).ToBeVisibleAsync(new() { Timeout = Timeout });
            await page.Locator(".run-button").ClickAsync();

            var canvas = page.Locator("canvas[data-lanes]");
            await Assertions.Expect(canvas).ToHaveAttributeAsync("data-state", "completed", new() { Timeout = Timeout });
            await Assertions.Expect(canvas).ToHaveAttributeAsync("data-detail", "tiles", new() { Timeout = Timeout });

            // The run, as this browser's own, from the API.
            var runs = await page.EvaluateAsync<JsonElement>("async () => await (await fetch('api/runs')).json()");
            var run = runs.EnumerateArray().OrderByDescending(r => r.GetProperty("createdAt").GetDateTimeOffset()).First();
            var actors = run.GetProperty("summary").GetProperty("actors").EnumerateArray().ToList();
            // The page holds only part of the log (merged live, or not yet sent), yet its picture is whole.
            var held = long.Parse((await canvas.GetAttributeAsync("data-events"))!, CultureInfo.InvariantCulture);
            Assert.True(held < run.GetProperty("summary").GetProperty("eventCount").GetInt64(), $"the page holds all {held} events, so this run proves nothing about tiles");

            // Within a pixel of the plot, and the summary's rounding to a tenth of a ms.
            var view = (await canvas.GetAttributeAsync("data-view"))!.Split(' ').Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray();
            var box = await canvas.BoundingBoxAsync();
            var pixelMs = (view[1] - view[0]) / box!.Width / 1e6;
            await TimelineChecks.AssertDrawnAsSummaryAsync(canvas, actors, pixelMs + 0.06);

            // Zoom in, around the busiest of a thousand slices of the run, until a fifth of a millisecond or
            // less is on screen: sixteen threads record up to several million events a second, and a window
            // of more than Limits:MaxTileEvents (5,000) is drawn from aggregates. (They also leave whole
            // milliseconds where nobody gets a core.)
            var id = run.GetProperty("id").GetString();
            // As text, parsed here: the browser's numbers reach .NET whole that way.
            using var document = JsonDocument.Parse(await page.EvaluateAsync<string>($"async () => await (await fetch('api/runs/{id}/tiles?buckets=1000')).text()"));
            var slices = document.RootElement;
            var busiest = Enumerable.Range(0, 1000).MaxBy(i => slices.GetProperty("lanes").EnumerateArray()
                .Sum(l => l.GetProperty("buckets")[i].GetProperty("instants").EnumerateObject().Sum(p => p.Value.GetInt32())));
            var width = slices.GetProperty("to").GetDouble() - slices.GetProperty("from").GetDouble();
            var sliceFrom = slices.GetProperty("from").GetDouble() + (busiest * width / 1000);
            // Within that slice, the busiest hundredth: threads without a core leave gaps of their own.
            using var fine = JsonDocument.Parse(await page.EvaluateAsync<string>(string.Create(CultureInfo.InvariantCulture,
                $"async () => await (await fetch('api/runs/{id}/tiles?from={sliceFrom:F0}&to={sliceFrom + (width / 1000):F0}&buckets=100')).text()")));
            var finer = fine.RootElement;
            var densest = Enumerable.Range(0, 100).MaxBy(i => finer.GetProperty("lanes").EnumerateArray()
                .Sum(l => l.GetProperty("buckets")[i].GetProperty("instants").EnumerateObject().Sum(p => p.Value.GetInt32())));
            var fineWidth = finer.GetProperty("to").GetDouble() - finer.GetProperty("from").GetDouble();
            var target = finer.GetProperty("from").GetDouble() + ((densest + 0.5) * fineWidth / 100);
            await canvas.ScrollIntoViewIfNeededAsync();
            box = await canvas.BoundingBoxAsync();
            var plot = (await canvas.GetAttributeAsync("data-plot"))!.Split(' ').Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray();
            for (var i = 0; i < 40; i++)
            {
                var span = (await canvas.GetAttributeAsync("data-view"))!.Split(' ').Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray();
                if (span[1] - span[0] <= 2e5)
                {
                    break;
                }

                // Aimed again at every step: at the first, a pixel spans more of the run than the window sought.
                var x = plot[0] + ((target - span[0]) / (span[1] - span[0]) * (plot[1] - plot[0]));
                await page.Mouse.MoveAsync(box!.X + (float)x, box.Y + 80);
                await page.Mouse.WheelAsync(0, -400);
                await page.WaitForTimeoutAsync(50);
            }

            var final = (await canvas.GetAttributeAsync("data-view"))!.Split(' ').Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray();
            Assert.True(final[1] - final[0] <= 2e5, $"the view still spans {(final[1] - final[0]) / 1e6:0.###} ms");
            await Assertions.Expect(canvas).ToHaveAttributeAsync("data-detail", "tiles", new() { Timeout = Timeout });
            try
            {
                await page.WaitForFunctionAsync("() => Number(document.querySelector('canvas[data-lanes]').dataset.marks) > 0", null, new() { Timeout = Timeout });
            }
            catch (TimeoutException)
            {
                Assert.Fail($"no marks drawn: view {await canvas.GetAttributeAsync("data-view")}, detail {await canvas.GetAttributeAsync("data-detail")}, events {await canvas.GetAttributeAsync("data-events")}, marks {await canvas.GetAttributeAsync("data-marks")}");
            }

            var shots = Path.Combine(SiteProcess.RepositoryRoot(), "TestResults", "screenshots");
            Directory.CreateDirectory(shots);
            await canvas.ScreenshotAsync(new LocatorScreenshotOptions { Path = Path.Combine(shots, "timeline-1ms.png") });
        }
        finally
        {
            await page.CloseAsync();
        }
    }
}
