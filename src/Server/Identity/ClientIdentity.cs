using System.Net;
using System.Net.Sockets;
using System.Security.Claims;
using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection;

namespace Playground.Server.Identity;

/// <summary>
/// Who starts a run: the identity from the caller's signed cookie, and the address it comes from
/// (after trusted proxies; an IPv6 address counted by its /64, the block one subscriber gets).
/// </summary>
public sealed record RunOwner(string Identity, string Address)
{
    /// <summary>The owner of runs the server starts for itself (tests, tools).</summary>
    public static RunOwner System { get; } = new("system", "local");
}

/// <summary>
/// Issues every browser and API client an identity it can later verify: a random id in an
/// HttpOnly, SameSite cookie protected (encrypted and signed) with ASP.NET Core Data Protection,
/// set on the first request to the site, the API or the hub. A missing, tampered or foreign cookie
/// simply gets a fresh identity; nothing is stored per identity, so minting them costs no memory.
/// The identity and the address are put on <see cref="HttpContext.User"/> as claims, where the
/// API, the hub (<c>Context.User</c>) and Blazor circuits (their authentication state) all read it.
/// </summary>
public sealed class ClientIdentityMiddleware(RequestDelegate next, IDataProtectionProvider protection)
{
    public const string CookieName = "pg.id";
    private readonly IDataProtector _protector = protection.CreateProtector("Playground.ClientIdentity.v1");

    public Task InvokeAsync(HttpContext http)
    {
        var identity = Read(http);
        var fresh = identity is null;
        identity ??= Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));

        // Static files are cached for a year, by shared caches too: a cookie on one of them could
        // hand a single identity to many people. They start no runs, so they get no cookie.
        if (fresh && !IsStaticFile(http.Request.Path))
        {
            http.Response.Cookies.Append(CookieName, _protector.Protect(identity), new CookieOptions
            {
                HttpOnly = true,
                SameSite = SameSiteMode.Lax,
                Secure = http.Request.IsHttps,
                IsEssential = true,
                Path = "/",
                MaxAge = TimeSpan.FromDays(365),
            });
        }

        http.User = ClientIdentity.Principal(new RunOwner(identity, ClientIdentity.AddressOf(http.Connection.RemoteIpAddress)));
        return next(http);
    }

    private static bool IsStaticFile(PathString path) =>
        path.StartsWithSegments("/_content") || path.StartsWithSegments("/_framework")
        || System.IO.Path.HasExtension(path.Value);

    private string? Read(HttpContext http)
    {
        if (!http.Request.Cookies.TryGetValue(CookieName, out var cookie) || cookie is not { Length: > 0 and < 512 })
        {
            return null;
        }

        try
        {
            var id = _protector.Unprotect(cookie);
            return id.Length == 24 && id.All(char.IsAsciiHexDigitLower) ? id : null;
        }
        catch (CryptographicException)
        {
            return null;
        }
    }
}

public static class ClientIdentity
{
    private const string IdentityClaim = "pg:identity";
    private const string AddressClaim = "pg:address";

    public static IApplicationBuilder UseClientIdentity(this IApplicationBuilder app) => app.UseMiddleware<ClientIdentityMiddleware>();

    /// <summary>The owner of the request (set by <see cref="ClientIdentityMiddleware"/>).</summary>
    public static RunOwner Owner(this HttpContext http) =>
        OwnerOf(http.User) ?? new RunOwner("anonymous", AddressOf(http.Connection.RemoteIpAddress));

    /// <summary>The owner a principal carries, or null when it carries none.</summary>
    public static RunOwner? OwnerOf(ClaimsPrincipal? user) =>
        user?.FindFirst(IdentityClaim)?.Value is { } id && user.FindFirst(AddressClaim)?.Value is { } address
            ? new RunOwner(id, address)
            : null;

    /// <summary>A principal that is not "authenticated" (no sign-in happened) but carries the owner.</summary>
    internal static ClaimsPrincipal Principal(RunOwner owner) =>
        new(new ClaimsIdentity([new Claim(IdentityClaim, owner.Identity), new Claim(AddressClaim, owner.Address)]));

    /// <summary>The address counted for caps: IPv4 as is, IPv6 by its /64 network.</summary>
    public static string AddressOf(IPAddress? address)
    {
        if (address is null)
        {
            return "unknown";
        }

        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (address.AddressFamily != AddressFamily.InterNetworkV6 || IPAddress.IsLoopback(address))
        {
            return address.ToString();
        }

        var bytes = address.GetAddressBytes();
        Array.Clear(bytes, 8, 8);
        return new IPAddress(bytes) + "/64";
    }
}
