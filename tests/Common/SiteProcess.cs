using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Playground.Tests.Common;

/// <summary>
/// The real site, started as its own process from the build output on a free loopback port, as a
/// user would run it; stopped (and its children with it) when the tests end.
/// </summary>
public sealed class SiteProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private SiteProcess(Process process, Uri baseUri)
    {
        _process = process;
        BaseUri = baseUri;
    }

    public Uri BaseUri { get; }

    public int Pid => _process.Id;

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>
    /// Starts the built server on a free port; <paramref name="database"/> names its saved-runs file
    /// (kept afterwards), else it gets a temporary one of its own; <paramref name="settings"/> are
    /// configuration keys to set ("Storage:CacheMegabytes"); <paramref name="environment"/> is
    /// ASP.NET Core's (benchmarks measure the site as deployed: "Production").
    /// </summary>
    public static async Task<SiteProcess> StartAsync(string? database = null, IReadOnlyDictionary<string, string>? settings = null,
        string environment = "Development")
    {
        var root = RepositoryRoot();
        // The caller runs from tests/<project>/bin/<Configuration>/net10.0/.
        var configuration = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name;
        var serverDir = Path.Combine(root, "src", "Server");
        var dll = Path.Combine(serverDir, "bin", configuration, "net10.0", "Playground.Server.dll");
        if (!File.Exists(dll))
        {
            throw new FileNotFoundException($"The server is not built at {dll}; build the solution first.");
        }

        var port = FreePort();
        var baseUri = new Uri($"http://127.0.0.1:{port}/");
        var info = new ProcessStartInfo(DotnetHost(), [dll, "--urls", baseUri.ToString().TrimEnd('/')])
        {
            WorkingDirectory = serverDir,
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        info.Environment["ASPNETCORE_ENVIRONMENT"] = environment;
        // Saved runs go to a temporary database of this site's own, not into the source tree.
        var temporary = database is null;
        database ??= Path.Combine(Path.GetTempPath(), $"pg-site-runs-{Guid.NewGuid():N}.db");
        info.Environment["Storage__Path"] = database;
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            // "Storage:CacheMegabytes" as the environment spells it.
            info.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }

        var process = Process.Start(info) ?? throw new InvalidOperationException("the server did not start");
        var site = new SiteProcess(process, baseUri) { _database = temporary ? database : null };
        process.OutputDataReceived += (_, e) => site.Append(e.Data);
        process.ErrorDataReceived += (_, e) => site.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        using var http = new HttpClient { BaseAddress = baseUri, Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException("the server exited at start-up:\n" + site.Output);
            }

            try
            {
                using var response = await http.GetAsync(new Uri("healthz", UriKind.Relative));
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return site;
                }
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException)
            {
            }

            await Task.Delay(200);
        }

        await site.DisposeAsync();
        throw new TimeoutException("the server did not answer /healthz within 60 s:\n" + site.Output);
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }
    }

    private bool _disposed;

    /// <summary>kill -9 of the server alone: it gets no chance to clean up (its children die with it).</summary>
    public async Task KillAsync()
    {
        _process.Kill(entireProcessTree: false);
        await _process.WaitForExitAsync();
    }

    /// <summary>
    /// SIGTERM, as a service manager stops it: the site shuts down on its own (its runs stopped,
    /// its database closed) and exits within <paramref name="timeout"/>, else this throws.
    /// </summary>
    public async Task StopAsync(TimeSpan timeout)
    {
        using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(CultureInfo.InvariantCulture)])!)
        {
            await kill.WaitForExitAsync();
        }

        await _process.WaitForExitAsync().WaitAsync(timeout);
    }

    /// <summary>Kills the site and its children; safe to call more than once.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        await _process.WaitForExitAsync();
        _process.Dispose();
        if (_database is not null)
        {
            foreach (var file in new[] { _database, _database + "-wal", _database + "-shm" })
            {
                File.Delete(file);
            }
        }
    }

    private string? _database;

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string DotnetHost()
    {
        var self = Environment.ProcessPath;
        return self is not null && Path.GetFileNameWithoutExtension(self) == "dotnet" ? self : "dotnet";
    }

    public static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Playground.sln")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException("Playground.sln not found above " + AppContext.BaseDirectory);
    }
}
