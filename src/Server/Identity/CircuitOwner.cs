using Microsoft.AspNetCore.Components.Authorization;

namespace Playground.Server.Identity;

/// <summary>
/// The owner behind one Blazor circuit (or one prerendering request): the principal the circuit
/// was opened with carries the identity cookie's claims. Registered scoped, so one per circuit.
/// </summary>
public sealed class CircuitOwner(IServiceProvider services)
{
    private RunOwner? _owner;

    public RunOwner Owner => _owner ??= Resolve();

    private RunOwner Resolve()
    {
        if (services.GetService<AuthenticationStateProvider>() is { } auth)
        {
            try
            {
                var state = auth.GetAuthenticationStateAsync();
                if (state.IsCompletedSuccessfully && ClientIdentity.OwnerOf(state.Result.User) is { } owner)
                {
                    return owner;
                }
            }
            catch (InvalidOperationException)
            {
                // Not set yet in this scope; the request below has it.
            }
        }

        if (services.GetService<IHttpContextAccessor>()?.HttpContext is { } http && ClientIdentity.OwnerOf(http.User) is { } fromRequest)
        {
            return fromRequest;
        }

        // No request and no circuit principal: an identity of its own, counted under one address.
        return new RunOwner("circuit-" + Guid.NewGuid().ToString("N"), "unknown");
    }
}
