using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.RegularExpressions;
using Playground.Tests.Common;

namespace Playground.Benchmarks;

/// <summary>
/// A big run saved and read back by the real server, as a process of its own: the 8 × 8 × 10,000
/// producer/consumer run (about 350,000 events) is saved, the server is stopped, and new servers on
/// the same database read it back. Reports the bytes an event takes on disk and the server's own
/// save and load times (from its log), and checks the log reads back the same. Not a test.
/// </summary>
/// <remarks>dotnet run -c Release --project tests/Benchmarks -- saved-runs [restarts]</remarks>
public static partial class SavedRunBenchmark
{
    public static async Task RunAsync(string[] args)
    {
        var restarts = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 3;
        var database = Path.Combine(Path.GetTempPath(), $"pg-bench-runs-{Guid.NewGuid():N}.db");
        try
        {
            var ids = new List<string>();
            var digests = new List<string>();
            long events = 0;
            await using (var server = await StartAsync(database))
            {
                using var http = ClientOf(server);
                // Two runs of the same setup: after a restart the first read pays for the server's cold start, the second does not.
                for (var n = 0; n < 2; n++)
                {
                    using var started = await http.PostAsJsonAsync("api/runs", new
                    {
                        scenario = "producer-consumer",
                        parameters = new Dictionary<string, object> { ["producers"] = 8, ["consumers"] = 8, ["items"] = 10_000, ["produceDelay"] = 0, ["consumeDelay"] = 0 },
                    });
                    var id = (await started.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
                    JsonElement run;
                    do
                    {
                        await Task.Delay(200);
                        run = await http.GetFromJsonAsync<JsonElement>($"api/runs/{id}");
                    }
                    while (run.GetProperty("state").GetString() is "queued" or "running");

                    var count = run.GetProperty("summary").GetProperty("eventCount").GetInt64();
                    events += count;
                    Console.WriteLine($"run {id}: {run.GetProperty("state").GetString()}, {count:N0} events, wall {run.GetProperty("summary").GetProperty("wallMs").GetDouble():N0} ms");
                    digests.Add(await LogDigestAsync(http, id));
                    ids.Add(id);

                    var clock = Stopwatch.StartNew();
                    using var saved = await http.PostAsync(new Uri($"api/runs/{id}/save", UriKind.Relative), null);
                    var roundTrip = clock.Elapsed.TotalMilliseconds;
                    var encoded = (await saved.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("bytes").GetInt64();
                    var line = await LineAsync(server, SavedLine(), id);
                    Console.WriteLine($"  save: {(int)saved.StatusCode}, server {line.Groups["ms"].Value} ms, request {roundTrip:N0} ms; " +
                        $"encoded log {encoded:N0} bytes = {encoded / (double)count:0.00} bytes/event");
                }

                await server.StopAsync(StopTimeout);
            }

            var file = new FileInfo(database).Length + Size(database + "-wal");
            Console.WriteLine($"database file after a clean stop: {file:N0} bytes for {events:N0} events = {file / (double)events:0.00} bytes/event (schema and rows included)");

            for (var r = 0; r < restarts; r++)
            {
                await using var server = await StartAsync(database);
                using var http = ClientOf(server);
                for (var n = 0; n < ids.Count; n++)
                {
                    var id = ids[n];
                    var clock = Stopwatch.StartNew();
                    using (var first = await http.GetAsync(new Uri($"api/runs/{id}/events?limit=1", UriKind.Relative)))
                    {
                        first.EnsureSuccessStatusCode();
                    }

                    var firstPage = clock.Elapsed.TotalMilliseconds;
                    var line = await LineAsync(server, LoadedLine(), id);
                    clock.Restart();
                    using (var again = await http.GetAsync(new Uri($"api/runs/{id}/events?limit=1", UriKind.Relative)))
                    {
                        again.EnsureSuccessStatusCode();
                    }

                    var cached = clock.Elapsed.TotalMilliseconds;
                    clock.Restart();
                    using (var tiles = await http.GetAsync(new Uri($"api/runs/{id}/tiles?buckets=1000", UriKind.Relative)))
                    {
                        tiles.EnsureSuccessStatusCode();
                    }

                    var tiled = clock.Elapsed.TotalMilliseconds;
                    var same = await LogDigestAsync(http, id) == digests[n];
                    Console.WriteLine($"restart {r + 1}, {(n == 0 ? "first read (cold server)" : "second read (warm)")}: read back in {line.Groups["ms"].Value} ms (server), " +
                        $"first page {firstPage:N0} ms, next page {cached:N1} ms, first 1,000-bucket tiles {tiled:N0} ms; log {(same ? "identical" : "DIFFERENT")}");
                }

                await server.StopAsync(StopTimeout);
            }
        }
        finally
        {
            foreach (var f in new[] { database, database + "-wal", database + "-shm" })
            {
                File.Delete(f);
            }
        }
    }

    /// <summary>A digest of every event of the log, read through the API in pages.</summary>
    private static async Task<string> LogDigestAsync(HttpClient http, string id)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        string? cursor = null;
        do
        {
            var page = await http.GetFromJsonAsync<JsonElement>($"api/runs/{id}/events?limit=50000" + (cursor is null ? "" : "&from=" + cursor));
            hash.AppendData(JsonSerializer.SerializeToUtf8Bytes(page.GetProperty("events")));
            cursor = page.GetProperty("next").GetString();
        }
        while (cursor is not null);

        return Convert.ToHexString(hash.GetHashAndReset());
    }

    private static long Size(string path) => File.Exists(path) ? new FileInfo(path).Length : 0;

    [GeneratedRegex(@"saved: \d+ events in \d+ bytes, (?<ms>\d+) ms")]
    private static partial Regex SavedLine();

    [GeneratedRegex(@"read back: \d+ events, (?<ms>\d+) ms")]
    private static partial Regex LoadedLine();

    /// <summary>The server on <paramref name="database"/>, logging its saved runs' lines (and warnings) only.</summary>
    private static Task<SiteProcess> StartAsync(string database) =>
        SiteProcess.StartAsync(database, new Dictionary<string, string>
        {
            ["Serilog:MinimumLevel:Default"] = "Warning",
            ["Serilog:MinimumLevel:Override:Playground.Server.Storage"] = "Information",
        }, environment: "Production");

    /// <summary>A client that keeps the server's identity cookie, as a browser does: a run is its starter's.</summary>
    private static HttpClient ClientOf(SiteProcess site) => new(new HttpClientHandler { CookieContainer = new CookieContainer() })
    {
        BaseAddress = site.BaseUri,
        Timeout = TimeSpan.FromMinutes(5),
    };

    /// <summary>The first line of the server's output that names <paramref name="runId"/> and matches, waiting for it a while.</summary>
    private static async Task<Match> LineAsync(SiteProcess site, Regex pattern, string runId)
    {
        for (var i = 0; i < 100; i++)
        {
            foreach (var line in site.Output.Split('\n'))
            {
                if (line.Contains(runId, StringComparison.Ordinal) && pattern.Match(line) is { Success: true } match)
                {
                    return match;
                }
            }

            await Task.Delay(50);
        }

        throw new TimeoutException("the server logged no line like " + pattern);
    }

    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(30);
}
