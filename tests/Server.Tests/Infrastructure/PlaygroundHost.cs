using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;

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

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("Serilog:MinimumLevel:Default", "Warning");
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

    /// <summary>An HTTP client over a real socket to the host, identifying itself as <paramref name="clientId"/>.</summary>
    public HttpClient CreateApiClient(string clientId)
    {
        var client = new HttpClient(new SocketsHttpHandler()) { BaseAddress = BaseAddress, Timeout = Patience };
        client.DefaultRequestHeaders.Add("X-Client-Id", clientId);
        client.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        lock (_clients)
        {
            _clients.Add(client);
        }

        return client;
    }

    /// <summary>A started SignalR connection to /hubs/runs, speaking JSON or MessagePack.</summary>
    public async Task<HubConnection> ConnectHubAsync(HubProtocolKind protocol = HubProtocolKind.Json)
    {
        var builder = new HubConnectionBuilder().WithUrl(new Uri(BaseAddress, "hubs/runs"));
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
    }
}

public enum HubProtocolKind
{
    Json,
    MessagePack,
}
