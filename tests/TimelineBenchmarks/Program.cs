using System.Globalization;
using System.Text.Json;
using Microsoft.Playwright;
using Playground.Tests.Common;

// Timed script: the timeline in headless Debian Chromium against the real site, on the busy run of
// the timeline issue — eight cooks and eight eaters, ten thousand buns each, no delays:
//   (a) from the run's end to its first whole picture from the server's tiles;
//   (b) from a zoom to 1 ms (at the busiest millisecond) to that window's picture with its events;
//   (c) frames per second while dragging the whole run sideways, from requestAnimationFrame stamps.
// Times are taken in the page (performance.now), not across the automation channel.
//
//   dotnet run -c Release --project tests/TimelineBenchmarks -- [--runs 3]
var runs = args.Length > 1 && args[0] == "--runs" ? int.Parse(args[1], CultureInfo.InvariantCulture) : 3;
const string Chromium = "/usr/bin/chromium";
if (!File.Exists(Chromium))
{
    Console.Error.WriteLine($"{Chromium} is missing: apt-get install chromium");
    return 1;
}

await using var site = await SiteProcess.StartAsync();
using var playwright = await Playwright.CreateAsync();
await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
{
    ExecutablePath = Chromium,
    Headless = true,
    Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});

Console.WriteLine($"# Timeline benchmark ({DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores, Chromium {browser.Version}, headless, software rendering)");
Console.WriteLine();
Console.WriteLine("| run | events | merged live | (a) end → whole picture | (b) zoom to 1 ms → picture with events | events drawn | (c) frames while dragging | fps | frame p50 | frame p95 |");
Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
for (var r = 1; r <= runs; r++)
{
    var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1400, Height = 1000 } });
    await page.GotoAsync(new Uri(site.BaseUri, "play/producer-consumer?lang=en&producers=8&consumers=8&items=10000&produceDelay=0&consumeDelay=0").ToString());
    await page.Locator("[data-interactive=true]").WaitForAsync(new() { Timeout = 60_000 });
    // Stamps of the canvas's changes, taken in the page as they happen.
    await page.EvaluateAsync("""
        () => {
          window.__stamps = [];
          const watch = () => {
            const c = document.querySelector('canvas[data-lanes]');
            if (!c) { requestAnimationFrame(watch); return; }
            new MutationObserver(() => window.__stamps.push({ t: performance.now(), state: c.dataset.state, detail: c.dataset.detail, marks: Number(c.dataset.marks || 0), view: c.dataset.view }))
              .observe(c, { attributes: true });
          };
          watch();
        }
        """);
    await page.Locator(".run-button").ClickAsync();
    var canvas = page.Locator("canvas[data-lanes]");
    await page.WaitForFunctionAsync("() => { const c = document.querySelector('canvas[data-lanes]'); return c && c.dataset.state === 'completed' && c.dataset.detail === 'tiles'; }", null, new() { Timeout = 120_000 });
    var endToPicture = await page.EvaluateAsync<double>("""
        () => {
          const s = window.__stamps;
          const end = s.find(x => x.state === 'completed');
          const whole = s.find(x => x.t >= end.t && x.detail === 'tiles');
          return whole.t - end.t;
        }
        """);

    // The busiest millisecond-ish slice of the run, from the API, and the pointer over it.
    var id = JsonDocument.Parse(await page.EvaluateAsync<string>("async () => await (await fetch('api/runs')).text()")).RootElement
        .EnumerateArray().OrderByDescending(x => x.GetProperty("createdAt").GetDateTimeOffset()).First().GetProperty("id").GetString();
    using var slices = JsonDocument.Parse(await page.EvaluateAsync<string>($"async () => await (await fetch('api/runs/{id}/tiles?buckets=1000')).text()"));
    var root = slices.RootElement;
    var recorded = root.GetProperty("recorded").GetInt64();
    var busiest = Enumerable.Range(0, 1000).MaxBy(i => root.GetProperty("lanes").EnumerateArray()
        .Sum(l => l.GetProperty("buckets")[i].GetProperty("instants").EnumerateObject().Sum(p => p.Value.GetInt32())));
    var from = root.GetProperty("from").GetDouble();
    var to = root.GetProperty("to").GetDouble();
    var target = from + ((busiest + 0.5) * (to - from) / 1000);
    var merged = long.Parse((await canvas.GetAttributeAsync("data-coalesced"))!, CultureInfo.InvariantCulture);
    await canvas.ScrollIntoViewIfNeededAsync();
    var box = (await canvas.BoundingBoxAsync())!;
    double[] Numbers(string? text) => text!.Split(' ').Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray();
    var view = Numbers(await canvas.GetAttributeAsync("data-view"));
    var plot = Numbers(await canvas.GetAttributeAsync("data-plot"));
    var x = plot[0] + ((target - view[0]) / (view[1] - view[0]) * (plot[1] - plot[0]));
    await page.Mouse.MoveAsync(box.X + (float)x, box.Y + 80);
    for (var i = 0; i < 60 && Numbers(await canvas.GetAttributeAsync("data-view")) is var v && v[1] - v[0] > 1e6; i++)
    {
        await page.Mouse.WheelAsync(0, -400);
    }

    var zoomedAt = await page.EvaluateAsync<double>("() => window.__stamps[window.__stamps.length - 1].t");
    await page.WaitForFunctionAsync("() => { const c = document.querySelector('canvas[data-lanes]'); return c.dataset.detail === 'tiles' && Number(c.dataset.marks) > 0; }", null, new() { Timeout = 60_000 });
    var zoomToPicture = await page.EvaluateAsync<double>($$"""
        () => window.__stamps.find(x => x.t >= {{zoomedAt.ToString(CultureInfo.InvariantCulture)}} && x.detail === 'tiles' && x.marks > 0).t - {{zoomedAt.ToString(CultureInfo.InvariantCulture)}}
        """);
    var marks = await canvas.GetAttributeAsync("data-marks");

    if (Environment.GetEnvironmentVariable("WAIT_FOR_STREAM") == "1")
    {
        await page.WaitForFunctionAsync($"() => Number(document.querySelector('canvas[data-lanes]').dataset.events) >= {recorded}", null, new() { Timeout = 120_000 });
    }

    // Back to the whole run, then drag it sideways for two seconds while counting frames.
    await canvas.FocusAsync();
    await page.Keyboard.PressAsync("0");
    await page.WaitForTimeoutAsync(500);
    await page.EvaluateAsync("""
        () => {
          window.__frames = [];
          const tick = t => { window.__frames.push(t); if (window.__frames.length < 100000 && !window.__stopFrames) requestAnimationFrame(tick); };
          window.__stopFrames = false;
          requestAnimationFrame(tick);
        }
        """);
    var y = box.Y + 80;
    await page.Mouse.MoveAsync(box.X + (box.Width * 0.8f), y);
    await page.Mouse.DownAsync();
    var started = DateTime.UtcNow;
    var step = 0;
    while (DateTime.UtcNow - started < TimeSpan.FromSeconds(2))
    {
        var dx = (float)(Math.Sin(step++ / 10.0) * box.Width * 0.3);
        await page.Mouse.MoveAsync(box.X + (box.Width * 0.5f) + dx, y);
    }

    await page.Mouse.UpAsync();
    var frames = await page.EvaluateAsync<double[]>("() => { window.__stopFrames = true; return window.__frames; }");
    var intervals = frames.Zip(frames.Skip(1), (a, b) => b - a).Order().ToArray();
    var seconds = (frames[^1] - frames[0]) / 1000;
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"| {r} | {recorded:N0} | {merged:N0} | {endToPicture:0} ms | {zoomToPicture:0} ms | {marks} | {frames.Length:N0} | {(frames.Length - 1) / seconds:0.0} | {intervals[intervals.Length / 2]:0.0} ms | {intervals[(int)(intervals.Length * 0.95)]:0.0} ms |"));
    await page.CloseAsync();
}

return 0;
