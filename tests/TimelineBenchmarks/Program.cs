using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.Playwright;
using Playground.Scenarios.Recording;
using Playground.Server.Storage;
using Playground.Shared.Runs;
using Playground.Tests.Common;

// Timed script: the timeline in headless Debian Chromium against the real site.
//
// Default: the busy run of the timeline issue — eight cooks and eight eaters, ten thousand buns
// each, no delays — run on the site:
//   (a) from the run's end to its first whole picture from the server's tiles;
//   (b) from a zoom to 1 ms (at the busiest millisecond) to that window's picture with its events;
//   (c) frames per second while dragging the whole run sideways, from requestAnimationFrame stamps.
//
// --synthetic N: a made-up run of N events over 16 lanes (tests/Common/SyntheticRun.cs), written
// into a saved-runs file that the site opens; (a) is then from opening its page to its first whole
// picture, and the server's resident memory is read from /proc once it holds the run.
//
// Times are taken in the page (performance.now), not across the automation channel. While it
// drags, the page's long tasks and the tiles answers it got are counted (on stderr); with PROFILE=1
// the page's main thread is profiled through the DevTools protocol and its top functions listed.
//
//   dotnet run -c Release --project tests/TimelineBenchmarks -- [--runs 3] [--synthetic 10000000]
var runs = 3;
long? synthetic = null;
for (var i = 0; i + 1 < args.Length; i += 2)
{
    switch (args[i])
    {
        case "--runs":
            runs = int.Parse(args[i + 1], CultureInfo.InvariantCulture);
            break;
        case "--synthetic":
            synthetic = long.Parse(args[i + 1], CultureInfo.InvariantCulture);
            break;
        default:
            Console.Error.WriteLine($"unknown option {args[i]}");
            return 2;
    }
}

const string Chromium = "/usr/bin/chromium";
if (!File.Exists(Chromium))
{
    Console.Error.WriteLine($"{Chromium} is missing: apt-get install chromium");
    return 1;
}

string? database = null;
string? syntheticId = null;
try
{
    if (synthetic is { } total)
    {
        database = Path.Combine(Path.GetTempPath(), $"pg-timeline-bench-{Guid.NewGuid():N}.db");
        var clock = Stopwatch.StartNew();
        syntheticId = WriteSyntheticRun(database, total);
        Console.Error.WriteLine($"wrote {total:N0} events into {database} in {clock.Elapsed.TotalSeconds:0.0} s");
    }

    await using var site = await SiteProcess.StartAsync(database, synthetic is null ? null : new Dictionary<string, string>
    {
        ["Storage:CacheMegabytes"] = "2048",
        ["Storage:MaxEventsPerSavedRun"] = "100000000",
    });
    using var playwright = await Playwright.CreateAsync();
    await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
    {
        ExecutablePath = Chromium,
        Headless = true,
        Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    });

    Console.WriteLine($"# Timeline benchmark ({DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores, Chromium {browser.Version}, headless, software rendering)");
    Console.WriteLine();
    Console.WriteLine(synthetic is null
        ? "| run | events | merged live | (a) end → whole picture | (b) zoom to 1 ms → picture with events | events drawn | (c) frames while dragging | fps | frame p50 | frame p95 |"
        : "| run | events | (a) page opened → whole picture | (b) zoom to 1 ms → picture with events | events drawn | (c) frames while dragging | fps | frame p50 | frame p95 | server memory |");
    Console.WriteLine(synthetic is null ? "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|" : "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for (var r = 1; r <= runs; r++)
    {
        var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1400, Height = 1000 } });
        // Stamps of the canvas's changes, taken in the page as they happen, from its first.
        await page.AddInitScriptAsync("""
            window.__stamps = [];
            const watch = () => {
              const c = document.querySelector('canvas[data-lanes]');
              if (!c) { requestAnimationFrame(watch); return; }
              new MutationObserver(() => window.__stamps.push({ t: performance.now(), state: c.dataset.state, detail: c.dataset.detail, marks: Number(c.dataset.marks || 0), view: c.dataset.view }))
                .observe(c, { attributes: true });
            };
            watch();
            """);
        if (Environment.GetEnvironmentVariable("PROFILE") == "1")
        {
            // Every drawImage timed, by the sizes it copied from and to.
            await page.AddInitScriptAsync("""
                window.__draws = new Map();
                const draw = CanvasRenderingContext2D.prototype.drawImage;
                CanvasRenderingContext2D.prototype.drawImage = function (...a) {
                  const t = performance.now();
                  const r = draw.apply(this, a);
                  const key = `${a[0].width}x${a[0].height} -> ${this.canvas.width}x${this.canvas.height} (${a.length} args${a.length === 9 ? `, ${Math.round(a[3])}x${Math.round(a[4])} to ${Math.round(a[7])}x${Math.round(a[8])}` : ''})`;
                  const v = window.__draws.get(key) ?? { n: 0, ms: 0 };
                  v.n++; v.ms += performance.now() - t;
                  if (window.__draws.size < 200 || window.__draws.has(key)) window.__draws.set(key, v);
                  return r;
                };
                """);
        }

        var canvas = page.Locator("canvas[data-lanes]");
        string id;
        double toPicture;
        long merged = 0;
        if (syntheticId is null)
        {
            await page.GotoAsync(new Uri(site.BaseUri, "play/producer-consumer?lang=en&producers=8&consumers=8&items=10000&produceDelay=0&consumeDelay=0").ToString());
            await page.Locator("[data-interactive=true]").WaitForAsync(new() { Timeout = 60_000 });
            await page.Locator(".run-button").ClickAsync();
            await WholePictureAsync(page);
            toPicture = await page.EvaluateAsync<double>("""
                () => {
                  const s = window.__stamps;
                  const end = s.find(x => x.state === 'completed');
                  const whole = s.find(x => x.t >= end.t && x.detail === 'tiles');
                  return whole.t - end.t;
                }
                """);
            id = JsonDocument.Parse(await page.EvaluateAsync<string>("async () => await (await fetch('api/runs')).text()")).RootElement
                .EnumerateArray().OrderByDescending(x => x.GetProperty("createdAt").GetDateTimeOffset()).First().GetProperty("id").GetString()!;
            merged = long.Parse((await canvas.GetAttributeAsync("data-coalesced"))!, CultureInfo.InvariantCulture);
        }
        else
        {
            id = syntheticId;
            await page.GotoAsync(new Uri(site.BaseUri, $"runs/{id}?lang=en").ToString());
            await WholePictureAsync(page);
            // From the page's own time origin: the navigation, the server reading the run back, the first tiles.
            toPicture = await page.EvaluateAsync<double>("() => window.__stamps.find(x => x.detail === 'tiles').t");
        }

        var (recorded, zoomToPicture, marks) = await ZoomToBusiestAsync(page, canvas, id);
        if (Environment.GetEnvironmentVariable("WAIT_FOR_STREAM") == "1")
        {
            await page.WaitForFunctionAsync($"() => Number(document.querySelector('canvas[data-lanes]').dataset.events) >= {recorded}", null, new() { Timeout = 120_000 });
        }

        var (frames, fps, p50, p95) = await DragAsync(page, canvas);
        Console.WriteLine(synthetic is null
            ? string.Create(CultureInfo.InvariantCulture,
                $"| {r} | {recorded:N0} | {merged:N0} | {toPicture:0} ms | {zoomToPicture:0} ms | {marks} | {frames:N0} | {fps:0.0} | {p50:0.0} ms | {p95:0.0} ms |")
            : string.Create(CultureInfo.InvariantCulture,
                $"| {r} | {recorded:N0} | {toPicture:0} ms | {zoomToPicture:0} ms | {marks} | {frames:N0} | {fps:0.0} | {p50:0.0} ms | {p95:0.0} ms | {ResidentMegabytes(site.Pid):N0} MB |"));
        await page.CloseAsync();
    }
}
finally
{
    if (database is not null)
    {
        foreach (var file in new[] { database, database + "-wal", database + "-shm" })
        {
            File.Delete(file);
        }
    }
}

return 0;

static async Task WholePictureAsync(IPage page) =>
    await page.WaitForFunctionAsync("() => { const c = document.querySelector('canvas[data-lanes]'); return c && c.dataset.state === 'completed' && c.dataset.detail === 'tiles'; }", null, new() { Timeout = 300_000 });

// Zooms, around the busiest of a thousand slices of the run, until a millisecond or less is on screen;
// returns the run's recorded events, the time from the last wheel step to the picture with events, and the marks drawn.
static async Task<(long Recorded, double Ms, string? Marks)> ZoomToBusiestAsync(IPage page, ILocator canvas, string id)
{
    using var slices = JsonDocument.Parse(await page.EvaluateAsync<string>($"async () => await (await fetch('api/runs/{id}/tiles?buckets=1000')).text()"));
    var root = slices.RootElement;
    var recorded = root.GetProperty("recorded").GetInt64();
    var busiest = Enumerable.Range(0, 1000).MaxBy(i => root.GetProperty("lanes").EnumerateArray()
        .Sum(l => l.GetProperty("buckets")[i].GetProperty("instants").EnumerateObject().Sum(p => p.Value.GetInt32())));
    var from = root.GetProperty("from").GetDouble();
    var to = root.GetProperty("to").GetDouble();
    var target = from + ((busiest + 0.5) * (to - from) / 1000);
    await canvas.ScrollIntoViewIfNeededAsync();
    var box = (await canvas.BoundingBoxAsync())!;
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
    var ms = await page.EvaluateAsync<double>($$"""
        () => window.__stamps.find(x => x.t >= {{zoomedAt.ToString(CultureInfo.InvariantCulture)}} && x.detail === 'tiles' && x.marks > 0).t - {{zoomedAt.ToString(CultureInfo.InvariantCulture)}}
        """);
    return (recorded, ms, await canvas.GetAttributeAsync("data-marks"));
}

// Back to the whole run, then drag it sideways for two seconds while counting frames.
static async Task<(int Frames, double Fps, double P50, double P95)> DragAsync(IPage page, ILocator canvas)
{
    var box = (await canvas.BoundingBoxAsync())!;
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
    var tiles = 0;
    void Count(object? sender, IResponse response) => tiles += response.Url.Contains("/tiles", StringComparison.Ordinal) ? 1 : 0;
    page.Response += Count;
    await page.EvaluateAsync("() => { window.__long = []; new PerformanceObserver(l => window.__long.push(...l.getEntries().map(e => e.duration))).observe({ type: 'longtask' }); }");
    var profiler = Environment.GetEnvironmentVariable("PROFILE") == "1" ? await page.Context.NewCDPSessionAsync(page) : null;
    if (profiler is not null)
    {
        await page.EvaluateAsync("() => window.__draws?.clear()");
        await profiler.SendAsync("Profiler.enable");
        await profiler.SendAsync("Profiler.start");
    }

    await page.Mouse.DownAsync();
    var started = DateTime.UtcNow;
    var step = 0;
    while (DateTime.UtcNow - started < TimeSpan.FromSeconds(2))
    {
        var dx = (float)(Math.Sin(step++ / 10.0) * box.Width * 0.3);
        await page.Mouse.MoveAsync(box.X + (box.Width * 0.5f) + dx, y);
    }

    await page.Mouse.UpAsync();
    page.Response -= Count;
    if (profiler is not null)
    {
        // Where the page's main thread spent the drag: self time by function, the top fifteen.
        var result = await profiler.SendAsync("Profiler.stop");
        var profile = result!.Value.GetProperty("profile");
        var nodes = profile.GetProperty("nodes").EnumerateArray().ToDictionary(n => n.GetProperty("id").GetInt32(), n => n.GetProperty("callFrame"));
        var samples = profile.GetProperty("samples").EnumerateArray().Select(x => x.GetInt32()).ToArray();
        var deltas = profile.GetProperty("timeDeltas").EnumerateArray().Select(x => x.GetDouble() / 1000).ToArray();
        var self = new Dictionary<string, double>();
        for (var i = 0; i < samples.Length; i++)
        {
            var frame = nodes[samples[i]];
            var name = $"{frame.GetProperty("functionName").GetString()} {Path.GetFileName(frame.GetProperty("url").GetString())}:{frame.GetProperty("lineNumber").GetInt32() + 1}";
            self[name] = self.GetValueOrDefault(name) + deltas[i];
        }

        foreach (var (name, ms) in self.OrderByDescending(kv => kv.Value).Take(15))
        {
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"    {ms,8:0.0} ms  {name}"));
        }

        var draws = await page.EvaluateAsync<string[]>("() => [...window.__draws].sort((a, b) => b[1].ms - a[1].ms).slice(0, 8).map(([k, v]) => `${v.ms.toFixed(1)} ms in ${v.n} × ${k}`)");
        foreach (var line in draws)
        {
            Console.Error.WriteLine("    drawImage: " + line);
        }
    }

    var frames = await page.EvaluateAsync<double[]>("() => { window.__stopFrames = true; return window.__frames; }");
    var longTasks = await page.EvaluateAsync<double[]>("() => window.__long");
    Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"  while dragging: {tiles} tiles answers, {longTasks.Length} long tasks, {longTasks.Sum():0} ms in them (longest {(longTasks.Length > 0 ? longTasks.Max() : 0):0} ms)"));
    var intervals = frames.Zip(frames.Skip(1), (a, b) => b - a).Order().ToArray();
    var seconds = (frames[^1] - frames[0]) / 1000;
    return (frames.Length, (frames.Length - 1) / seconds, intervals[intervals.Length / 2], intervals[(int)(intervals.Length * 0.95)]);
}

static double[] Numbers(string? text) => text!.Split(' ').Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray();

// The resident memory of a process, from /proc (Linux).
static double ResidentMegabytes(int pid) =>
    File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal))
        .Split(' ', StringSplitOptions.RemoveEmptyEntries)[1] is var kb ? double.Parse(kb, CultureInfo.InvariantCulture) / 1024 : 0;

// A made-up run of about `total` events over 16 lanes, saved as a finished producer/consumer run; returns its id.
static string WriteSyntheticRun(string database, long total)
{
    const int Lanes = 16;
    var perLane = (int)(total / Lanes);
    using var recorder = new EventRecorder(Lanes, (perLane + 8192L) * Lanes);
    var end = SyntheticRun.Fill(recorder, perLane);
    var id = RunIds.New();
    var now = DateTimeOffset.FromUnixTimeMilliseconds(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
    var actors = Enumerable.Range(0, Lanes)
        .Select(a => new ActorInfo(a, a < Lanes / 2 ? $"producer-{a + 1}" : $"consumer-{a - (Lanes / 2) + 1}", a < Lanes / 2 ? "producer" : "consumer", Environment.ProcessId, null))
        .ToList();
    var parameters = new Dictionary<string, object> { ["producers"] = 8L, ["consumers"] = 8L, ["items"] = 10000L, ["produceDelay"] = 0d, ["consumeDelay"] = 0d };
    var info = new RunInfo(id, "producer-consumer", parameters, RunState.Completed, null, null, now, now, now, actors, null, now);
    var options = new StorageOptions { MaxEventsPerSavedRun = long.MaxValue };
    using var archive = new SqliteRunArchive(database, options, TimeProvider.System);
    archive.Migrate();
    // The run ends a little after its last event.
    var log = RunLogBlocks.Pack(recorder, recorder.StartTimestamp + end + 1_000);
    if (!archive.Save(new ArchivedRun(info, "benchmark", "127.0.0.1", false, log)))
    {
        throw new InvalidOperationException("the synthetic run was not saved");
    }

    return id;
}
