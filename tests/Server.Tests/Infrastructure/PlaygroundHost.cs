using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using Playground.Server.Runs;

namespace Playground.Server.Tests.Infrastructure;

/// <summary>
/// The real server on a real Kestrel port (chosen by the OS), in this test process. Each test
/// class gets its own host through a fixture; subclasses set the run caps it is tested with.
/// </summary>
public class PlaygroundHost : WebApplicationFactory<Program>, IAsyncLifetime
{
    /// <summary>The longest any single await in a test may take before the test fails.</summary>
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    private readonly List<HttpClient> _clients = [];
    private readonly Dictionary<HttpClient, CookieContainer> _cookies = [];
    private readonly List<HubConnection> _connections = [];

    public PlaygroundHost()
    {
        // Port 0: the OS picks a free port, so parallel hosts never collide.
        UseKestrel(0);
    }

    /// <summary>The address Kestrel is listening on, ending with '/'.</summary>
    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>Configuration overrides ("Runs:MaxRunsPerClient" = "1", ...).</summary>
    protected virtual IReadOnlyDictionary<string, string> Settings { get; } = new Dictionary<string, string>();

    /// <summary>
    /// The saved runs' database of this host: a temporary file of its own, removed when the host is
    /// disposed, unless <see cref="Settings"/> names one ("Storage:Path") that outlives it.
    /// </summary>
    public string DatabasePath => Settings.TryGetValue("Storage:Path", out var path) ? path : _ownDatabase;

    private readonly string _ownDatabase = TempDatabase.NewPath();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("Serilog:MinimumLevel:Default", "Warning");
        builder.UseSetting("Storage:Path", _ownDatabase);
        foreach (var (key, value) in Settings)
        {
            builder.UseSetting(key, value);
        }
    }

    public Task InitializeAsync()
    {
        StartServer();
        var addresses = Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses;
        var address = addresses.First();
        BaseAddress = new Uri(address.EndsWith('/') ? address : address + "/");
        return Task.CompletedTask;
    }

    /// <summary>
    /// An HTTP client over a real socket to the host. Like a browser it keeps the identity cookie
    /// the server sets on its first answer, so each client is one identity; <paramref name="name"/>
    /// only labels it. <paramref name="cookies"/> shares an identity (with a hub connection);
    /// <paramref name="from"/> connects from another loopback address (127.0.0.2...) than 127.0.0.1.
    /// </summary>
    public HttpClient CreateApiClient(string name, CookieContainer? cookies = null, IPAddress? from = null, bool keepCookies = true)
    {
        _ = name;
        cookies ??= new CookieContainer();
        var handler = new SocketsHttpHandler { CookieContainer = cookies, UseCookies = keepCookies };
        if (from is not null)
        {
            handler.ConnectCallback = async (context, cancellationToken) =>
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    socket.Bind(new IPEndPoint(from, 0));
                    await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            };
        }

        var client = new HttpClient(handler) { BaseAddress = BaseAddress, Timeout = Patience };
        client.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        lock (_clients)
        {
            _clients.Add(client);
            _cookies[client] = cookies;
        }

        return client;
    }

    /// <summary>The cookies (the identity) of a client made by <see cref="CreateApiClient"/>.</summary>
    public CookieContainer CookiesOf(HttpClient client)
    {
        lock (_clients)
        {
            return _cookies[client];
        }
    }

    /// <summary>Every run the server knows, whoever owns it (the API lists only the caller's).</summary>
    public IReadOnlyList<Run> AllRuns() => Services.GetRequiredService<RunManager>().List();

    /// <summary>
    /// A started SignalR connection to /hubs/runs, speaking JSON or MessagePack, with its own
    /// identity or the one in <paramref name="cookies"/>.
    /// </summary>
    public async Task<HubConnection> ConnectHubAsync(HubProtocolKind protocol = HubProtocolKind.Json, CookieContainer? cookies = null)
    {
        var builder = new HubConnectionBuilder().WithUrl(new Uri(BaseAddress, "hubs/runs"), o => o.Cookies = cookies ?? new CookieContainer());
        builder = protocol == HubProtocolKind.MessagePack
            ? builder.AddMessagePackProtocol()
            : builder.AddJsonProtocol(o => o.PayloadSerializerOptions.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase)));
        var connection = builder.Build();
        lock (_connections)
        {
            _connections.Add(connection);
        }

        await connection.StartAsync().WaitAsync(Patience);
        return connection;
    }

    /// <summary>
    /// <paramref name="count"/> started connections, MessagePack and JSON in turn, closed together
    /// when the returned group is disposed.
    /// </summary>
    public async Task<HubGroup> ConnectViewersAsync(int count)
    {
        var hubs = new HubGroup();
        try
        {
            for (var i = 0; i < count; i++)
            {
                hubs.Add(await ConnectHubAsync(i % 2 == 0 ? HubProtocolKind.MessagePack : HubProtocolKind.Json));
            }

            return hubs;
        }
        catch
        {
            await hubs.DisposeAsync();
            throw;
        }
    }

    async Task IAsyncLifetime.DisposeAsync()
    {
        foreach (var connection in _connections)
        {
            await connection.DisposeAsync();
        }

        foreach (var client in _clients)
        {
            client.Dispose();
        }

        await DisposeAsync();
        TempDatabase.Delete(_ownDatabase);
    }
}

/// <summary>Temporary SQLite files for hosts' saved runs: a fresh path, and its removal with its WAL files.</summary>
public static class TempDatabase
{
    public static string NewPath() => Path.Combine(Path.GetTempPath(), $"pg-test-runs-{Guid.NewGuid():N}.db");

    public static void Delete(string path)
    {
        foreach (var file in new[] { path, path + "-wal", path + "-shm", path + "-journal" })
        {
            File.Delete(file);
        }
    }
}

public enum HubProtocolKind
{
    Json,
    MessagePack,
}

/// <summary>Hub connections opened together and closed together.</summary>
public sealed class HubGroup : List<HubConnection>, IAsyncDisposable
{
    public async ValueTask DisposeAsync()
    {
        foreach (var hub in this)
        {
            await hub.DisposeAsync();
        }
    }
}
