using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Playground.Server.Tests.Infrastructure;

/// <summary>
/// The real server as a process of its own, started from its build output on a free loopback
/// port, for tests that must kill a server without warning.
/// </summary>
public sealed class ServerProcess : IAsyncDisposable
{
    private readonly Process _process;

    private ServerProcess(Process process, Uri baseAddress)
    {
        _process = process;
        BaseAddress = baseAddress;
    }

    public Uri BaseAddress { get; }

    public int Pid => _process.Id;

    public static async Task<ServerProcess> StartAsync()
    {
        // The tests run from tests/Server.Tests/bin/<Configuration>/net10.0/.
        var configuration = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name;
        var root = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(root, "Playground.sln")))
        {
            root = Path.GetDirectoryName(root.TrimEnd(Path.DirectorySeparatorChar)) ?? throw new DirectoryNotFoundException("Playground.sln not found above the tests");
        }

        var serverDir = Path.Combine(root, "src", "Server");
        var dll = Path.Combine(serverDir, "bin", configuration, "net10.0", "Playground.Server.dll");
        if (!File.Exists(dll))
        {
            throw new FileNotFoundException($"The server is not built at {dll}; build the solution first.");
        }

        var address = new Uri($"http://127.0.0.1:{FreePort()}/");
        var info = new ProcessStartInfo("dotnet", [dll, "--urls", address.ToString().TrimEnd('/'), "--Serilog:MinimumLevel:Default=Warning"])
        {
            WorkingDirectory = serverDir,
            UseShellExecute = false,
            RedirectStandardOutput = false,
            RedirectStandardError = false,
        };
        var process = Process.Start(info) ?? throw new InvalidOperationException("the server did not start");
        var server = new ServerProcess(process, address);
        using var http = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (DateTime.UtcNow < deadline && !process.HasExited)
        {
            try
            {
                using var response = await http.GetAsync(new Uri("healthz", UriKind.Relative));
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return server;
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

        await server.DisposeAsync();
        throw new TimeoutException("the server did not answer /healthz within 60 s");
    }

    /// <summary>kill -9: the server gets no chance to clean up.</summary>
    public async Task KillAsync()
    {
        Signals.Send(_process.Id, Signals.SIGKILL);
        await _process.WaitForExitAsync().WaitAsync(PlaygroundHost.Patience);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
