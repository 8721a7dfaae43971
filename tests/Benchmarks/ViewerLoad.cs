using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using Playground.Tests.Common;

namespace Playground.Benchmarks;

/// <summary>
/// Many real SignalR viewers of one streaming producer/consumer run, against the real server
/// started as a process of its own so its CPU time and resident set can be read from /proc. Not a
/// test: the figures are for reading.
/// </summary>
/// <remarks>
/// dotnet run -c Release --project tests/Benchmarks -- viewer-load [viewers] [msgpack|json] [items] [Section:Key=value...]
///
/// Settings such as Runs:ViewerFrameMilliseconds=100 are passed to the server.
/// Every viewer opens StreamEvents for the run and also listens for the run's live frames
/// ("Events"); it notes when each batch arrives (wall clock of this machine) and the newest event
/// time in it. The run's events are times since its start, so a batch's lag is its arrival minus
/// (the run's StartedAt + its newest event's time): both sides read the same machine's clock.
/// StartedAt is taken just before the recorder's time zero, so the lag is overstated by that gap
/// (the start of the run's first thread, well under a millisecond), never understated.
/// Viewers decode only the fields they time (sequence, final flag, event times), so the client
/// side costs as little as it can on the same two cores.
/// </remarks>
public static class ViewerLoad
{
    public static async Task RunAsync(string[] args)
    {
        // Server settings given as Section:Key=value go to the server.
        var settings = new Dictionary<string, string>
        {
            ["Serilog:MinimumLevel:Default"] = "Warning",
            ["Limits:StartsPerAddress"] = "1000",
        };
        foreach (var setting in args.Where(a => a.Contains('=', StringComparison.Ordinal)))
        {
            var equals = setting.IndexOf('=', StringComparison.Ordinal);
            settings[setting[..equals]] = setting[(equals + 1)..];
        }

        args = [.. args.Where(a => !a.Contains('=', StringComparison.Ordinal))];
        var viewerCount = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 1000;
        var json = args.Length > 1 && args[1] == "json";
        var items = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 1000;
        // One producer making an item every 6 ms, two eaters taking 10 ms each: a steady stream of
        // events for about six seconds, the queue mostly short.
        var parameters = new Dictionary<string, object>
        {
            ["producers"] = 1,
            ["consumers"] = 2,
            ["items"] = items,
            ["capacity"] = 5,
            ["produceDelay"] = 0.3,
            ["consumeDelay"] = 0.5,
            ["jitter"] = 0,
            ["timeScale"] = 0.02,
        };

        ThreadPool.SetMinThreads(Math.Max(64, Environment.ProcessorCount), 64);
        // The server in Production, with a saved-runs file of its own that goes with it.
        await using var site = await SiteProcess.StartAsync(settings: settings, environment: "Production");
        var address = site.BaseUri;
        Console.WriteLine($"server pid {site.Pid}");
        var viewers = new List<Viewer>();
        try
        {
            using var http = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(120) };

            // Warm-up: the same run watched by a few viewers, so JIT and pools are not measured.
            var warm = new List<Viewer>();
            for (var i = 0; i < 10; i++)
            {
                warm.Add(await Viewer.ConnectAsync(address, json));
            }

            var warmRun = await StartRunAsync(http, parameters);
            await Task.WhenAll(warm.Select(v => v.WatchAsync(warmRun)));
            foreach (var v in warm)
            {
                await v.DisposeAsync();
            }

            await Task.Delay(1000);
            var baseline = ProcessMeter.Rss(site.Pid);

            var clock = Stopwatch.StartNew();
            using (var gate = new SemaphoreSlim(32))
            {
                var connecting = Enumerable.Range(0, viewerCount).Select(async _ =>
                {
                    await gate.WaitAsync();
                    try
                    {
                        return await Viewer.ConnectAsync(address, json);
                    }
                    finally
                    {
                        gate.Release();
                    }
                });
                viewers.AddRange(await Task.WhenAll(connecting));
            }

            var connectSeconds = clock.Elapsed.TotalSeconds;
            await Task.Delay(500);
            var connected = ProcessMeter.Rss(site.Pid);

            var cpuBefore = ProcessMeter.CpuTicks(site.Pid);
            var streamClock = Stopwatch.StartNew();
            var runId = await StartRunAsync(http, parameters);
            long peak = connected;
            using var sampling = new CancellationTokenSource();
            var sampler = Task.Run(async () =>
            {
                while (!sampling.IsCancellationRequested)
                {
                    peak = Math.Max(peak, ProcessMeter.Rss(site.Pid));
                    await Task.Delay(100);
                }
            });
            using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(180));
            await Task.WhenAll(viewers.Select(v => v.WatchAsync(runId, patience.Token)));
            var streamSeconds = streamClock.Elapsed.TotalSeconds;
            var cpuAfter = ProcessMeter.CpuTicks(site.Pid);
            await sampling.CancelAsync();
            await sampler;

            var run = await http.GetFromJsonAsync<JsonElement>(new Uri($"api/runs/{runId}", UriKind.Relative));
            var startedAt = run.GetProperty("startedAt").GetDateTimeOffset();
            var endedAt = run.GetProperty("endedAt").GetDateTimeOffset();
            var eventCount = run.GetProperty("summary").GetProperty("eventCount").GetInt64();
            var wallMs = run.GetProperty("summary").GetProperty("wallMs").GetDouble();

            var toFinal = viewers.Where(v => v.FinalArrival is not null).Select(v => (v.FinalArrival!.Value - endedAt).TotalMilliseconds).Order().ToList();
            var lags = viewers.SelectMany(v => v.Lags(startedAt)).Order().ToList();
            var complete = viewers.Count(v => v.FinalArrival is not null);
            var coalesced = viewers.Sum(v => v.Coalesced);
            var cpuPercent = (cpuAfter - cpuBefore) / 100.0 / streamSeconds * 100;

            Console.WriteLine($"# Viewer load: {viewerCount} viewers of one run over {(json ? "JSON" : "MessagePack")}{(settings.Count > 0 ? ", " + string.Join(' ', settings) : "")}");
            Console.WriteLine();
            Console.WriteLine($"- run: producer/consumer, {items} items, {eventCount:N0} events in {wallMs / 1000:0.0} s ({eventCount / (wallMs / 1000):N0} events/s)");
            Console.WriteLine($"- {viewerCount} viewers connected in {connectSeconds:0.0} s; {complete} received the final batch; {lags.Count:N0} batches with events timed; {coalesced:N0} events counted as coalesced");
            Console.WriteLine($"- server resident set: {baseline / 1e6:0} MB before viewers, {connected / 1e6:0} MB with {viewerCount} idle connections, {peak / 1e6:0} MB at peak while streaming");
            foreach (var failure in viewers.Select(v => v.Failure).OfType<string>().GroupBy(f => f).Take(5))
            {
                Console.WriteLine($"- {failure.Count()} viewer(s) failed: {failure.Key}");
            }

            Console.WriteLine();
            Console.WriteLine("| measure | value |");
            Console.WriteLine("|---|---:|");
            Console.WriteLine($"| run end → final batch, p50 | {Percentile(toFinal, 0.5):N0} ms |");
            Console.WriteLine($"| run end → final batch, p95 | {Percentile(toFinal, 0.95):N0} ms |");
            Console.WriteLine($"| run end → final batch, max | {(toFinal.Count > 0 ? toFinal[^1] : double.NaN):N0} ms |");
            Console.WriteLine($"| live lag, p50 | {Percentile(lags, 0.5):N0} ms |");
            Console.WriteLine($"| live lag, p95 | {Percentile(lags, 0.95):N0} ms |");
            Console.WriteLine($"| server CPU while streaming ({streamSeconds:0.0} s) | {cpuPercent:0} % of one core |");
            Console.WriteLine($"| server memory per viewer (peak − before viewers) | {(peak - baseline) / 1024.0 / viewerCount:0} KB |");
        }
        finally
        {
            foreach (var v in viewers)
            {
                await v.DisposeAsync();
            }
        }
    }

    private static double Percentile(List<double> sorted, double p) =>
        sorted.Count == 0 ? double.NaN : sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];

    private static async Task<string> StartRunAsync(HttpClient http, Dictionary<string, object> parameters)
    {
        using var response = await http.PostAsJsonAsync(new Uri("api/runs", UriKind.Relative), new { scenario = "producer-consumer", parameters });
        response.EnsureSuccessStatusCode();
        var started = await response.Content.ReadFromJsonAsync<JsonElement>();
        return started.GetProperty("id").GetString()!;
    }

    /// <summary>What a viewer decodes of a batch: only what it times.</summary>
    public sealed class LeanBatch
    {
        public long Seq { get; set; }
        public List<LeanEvent>? Events { get; set; }
        public long Coalesced { get; set; }
        public bool Final { get; set; }
    }

    public sealed class LeanEvent
    {
        public long T { get; set; }
    }

    /// <summary>One viewer: a hub connection, and when each batch of the run reached it.</summary>
    private sealed class Viewer : IAsyncDisposable
    {
        private readonly HubConnection _connection;
        private readonly List<(long ArrivalTicks, long NewestT)> _batches = [];
        private TaskCompletionSource _final = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private long _lastSeq = -1;

        private Viewer(HubConnection connection)
        {
            _connection = connection;
            _connection.On<LeanBatch>("Events", b => OnBatch(b, live: true));
        }

        public DateTimeOffset? FinalArrival { get; private set; }

        public long Coalesced { get; private set; }

        public static async Task<Viewer> ConnectAsync(Uri address, bool json)
        {
            var builder = new HubConnectionBuilder().WithUrl(new Uri(address, "hubs/runs"), o =>
            {
                o.Transports = HttpTransportType.WebSockets;
                o.SkipNegotiation = true;
            });
            if (!json)
            {
                builder.AddMessagePackProtocol();
            }

            var connection = builder.Build();
            await connection.StartAsync();
            return new Viewer(connection);
        }

        /// <summary>Reads the run's stream until its final batch has come (by the stream or live).</summary>
        public async Task WatchAsync(string runId, CancellationToken cancellationToken = default)
        {
            lock (_batches)
            {
                _batches.Clear();
                _final = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                _lastSeq = -1;
                FinalArrival = null;
                Coalesced = 0;
            }

            try
            {
                await foreach (var batch in _connection.StreamAsync<LeanBatch>("StreamEvents", runId, cancellationToken))
                {
                    OnBatch(batch, live: false);
                }

                // The stream ends once the final batch was sent, by the stream or live.
                await _final.Task.WaitAsync(TimeSpan.FromSeconds(10), cancellationToken);
            }
            catch (Exception ex) when (ex is HubException or TimeoutException or OperationCanceledException or InvalidOperationException)
            {
                // Counted as a viewer that never got the final batch.
                Failure = ex.GetType().Name + ": " + ex.Message;
            }
        }

        public string? Failure { get; private set; }

        private void OnBatch(LeanBatch batch, bool live)
        {
            var now = DateTimeOffset.UtcNow.UtcTicks;
            lock (_batches)
            {
                // A live frame already covered by the stream's catch-up is not counted twice.
                if (live && batch.Seq <= _lastSeq)
                {
                    return;
                }

                _lastSeq = Math.Max(_lastSeq, batch.Seq);
                Coalesced += batch.Coalesced;
                if (batch.Events is { Count: > 0 } events && !batch.Final)
                {
                    _batches.Add((now, events.Max(e => e.T)));
                }

                if (batch.Final && FinalArrival is null)
                {
                    FinalArrival = new DateTimeOffset(now, TimeSpan.Zero);
                    _final.TrySetResult();
                }
            }
        }

        public IEnumerable<double> Lags(DateTimeOffset startedAt)
        {
            lock (_batches)
            {
                return [.. _batches.Select(b => (b.ArrivalTicks - startedAt.UtcTicks) / (double)TimeSpan.TicksPerMillisecond - b.NewestT / 1e6)];
            }
        }

        public async ValueTask DisposeAsync() => await _connection.DisposeAsync();
    }
}
