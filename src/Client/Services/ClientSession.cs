namespace Playground.Client.Services;

/// <summary>
/// Identifies one browser circuit to the run service, so per-client caps apply per tab.
/// Registered scoped: a Blazor Server circuit has one scope.
/// </summary>
public sealed class ClientSession
{
    public string ClientId { get; } = "circuit-" + Guid.NewGuid().ToString("N");
}
