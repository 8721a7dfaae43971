using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.RegularExpressions;

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
            using (var server = Server.Start(database))
            {
                var http = server.Client();
                await server.WaitUntilUpAsync();
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
                    var line = await server.LineAsync(SavedLine(), id);
                    Console.WriteLine($"  save: {(int)saved.StatusCode}, server {line.Groups["ms"].Value} ms, request {roundTrip:N0} ms; " +
                        $"encoded log {encoded:N0} bytes = {encoded / (double)count:0.00} bytes/event");
                }

                await server.StopAsync();
            }

            var file = new FileInfo(database).Length + Size(database + "-wal");
            Console.WriteLine($"database file after a clean stop: {file:N0} bytes for {events:N0} events = {file / (double)events:0.00} bytes/event (schema and rows included)");

            for (var r = 0; r < restarts; r++)
            {
                using var server = Server.Start(database);
                var http = server.Client();
                await server.WaitUntilUpAsync();
                for (var n = 0; n < ids.Count; n++)
                {
                    var id = ids[n];
                    var clock = Stopwatch.StartNew();
                    using (var first = await http.GetAsync(new Uri($"api/runs/{id}/events?limit=1", UriKind.Relative)))
                    {
                        first.EnsureSuccessStatusCode();
                    }

                    var firstPage = clock.Elapsed.TotalMilliseconds;
                    var line = await server.LineAsync(LoadedLine(), id);
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

                await server.StopAsync();
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

    /// <summary>The server as a process, its saved runs' log lines collected.</summary>
    private sealed class Server : IDisposable
    {
        private readonly Process _process;
        private readonly Uri _address;
        private readonly List<string> _lines = [];

        private Server(Process process, Uri address)
        {
            _process = process;
            _address = address;
        }

        public static Server Start(string database)
        {
            var root = AppContext.BaseDirectory;
            while (!File.Exists(Path.Combine(root, "Playground.sln")))
            {
                root = Path.GetDirectoryName(root.TrimEnd(Path.DirectorySeparatorChar))!;
            }

            var dll = Path.Combine(root, "src", "Server", "bin", "Release", "net10.0", "Playground.Server.dll");
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            var address = new Uri($"http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}/");
            listener.Stop();
            var info = new ProcessStartInfo("dotnet", [dll, "--urls", address.ToString().TrimEnd('/'), "--Storage:Path=" + database,
                "--Serilog:MinimumLevel:Default=Warning", "--Serilog:MinimumLevel:Override:Playground.Server.Storage=Information"])
            {
                WorkingDirectory = Path.Combine(root, "src", "Server"),
                UseShellExecute = false,
                RedirectStandardOutput = true,
            };
            var server = new Server(Process.Start(info)!, address);
            server._process.OutputDataReceived += (_, e) =>
            {
                if (e.Data is { } line)
                {
                    lock (server._lines)
                    {
                        server._lines.Add(line);
                    }
                }
            };
            server._process.BeginOutputReadLine();
            return server;
        }

        public HttpClient Client() => new(new HttpClientHandler { CookieContainer = new CookieContainer() })
        {
            BaseAddress = _address,
            Timeout = TimeSpan.FromMinutes(5),
        };

        public async Task WaitUntilUpAsync()
        {
            using var http = Client();
            for (var i = 0; i < 300; i++)
            {
                try
                {
                    using var response = await http.GetAsync(new Uri("healthz", UriKind.Relative));
                    if (response.IsSuccessStatusCode)
                    {
                        return;
                    }
                }
                catch (HttpRequestException)
                {
                }

                await Task.Delay(200);
            }

            throw new TimeoutException("the server did not start");
        }

        /// <summary>The first log line that matches, waiting for it a while.</summary>
        public async Task<Match> LineAsync(Regex pattern, string runId)
        {
            for (var i = 0; i < 100; i++)
            {
                lock (_lines)
                {
                    foreach (var line in _lines)
                    {
                        if (line.Contains(runId, StringComparison.Ordinal) && pattern.Match(line) is { Success: true } match)
                        {
                            return match;
                        }
                    }
                }

                await Task.Delay(50);
            }

            throw new TimeoutException("the server logged no line like " + pattern);
        }

        /// <summary>SIGTERM, as a service manager stops it: the server shuts down and closes the database.</summary>
        public async Task StopAsync()
        {
            using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(CultureInfo.InvariantCulture)]))
            {
                await kill.WaitForExitAsync();
            }

            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        }

        public void Dispose()
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }

            _process.Dispose();
        }
    }
}
