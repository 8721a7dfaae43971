using System.Collections.Concurrent;
using Microsoft.AspNetCore.SignalR;

namespace Playground.Server.Hubs;

/// <summary>
/// The runs hub's lifetime manager (SignalR's in-memory one), which also keeps each open
/// connection by id, so a run's broadcast can write one pre-serialized frame to each of its
/// viewers and see, per viewer, whether the last write is still under way.
/// </summary>
public sealed class RunHubConnections(ILogger<DefaultHubLifetimeManager<RunHub>> logger) : DefaultHubLifetimeManager<RunHub>(logger)
{
    private readonly ConcurrentDictionary<string, HubConnectionContext> _open = new(StringComparer.Ordinal);

    /// <summary>Hub connections open now.</summary>
    public int Count => _open.Count;

    public HubConnectionContext? Find(string connectionId) => _open.TryGetValue(connectionId, out var c) ? c : null;

    public override Task OnConnectedAsync(HubConnectionContext connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        _open[connection.ConnectionId] = connection;
        return base.OnConnectedAsync(connection);
    }

    public override Task OnDisconnectedAsync(HubConnectionContext connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        _open.TryRemove(connection.ConnectionId, out _);
        return base.OnDisconnectedAsync(connection);
    }
}
