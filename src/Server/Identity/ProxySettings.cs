using System.Net;
using Microsoft.AspNetCore.HttpOverrides;

namespace Playground.Server.Identity;

/// <summary>
/// X-Forwarded-For / -Proto are honoured only from the proxies listed in the "ForwardedHeaders"
/// section (KnownProxies: addresses, KnownNetworks: CIDR ranges). With none listed, no request may
/// claim another address, not even one from the loopback interface (ASP.NET Core's default trusts loopback).
/// </summary>
public static class ProxySettings
{
    public const string Section = "ForwardedHeaders";

    public static IServiceCollection AddTrustedProxies(this IServiceCollection services, IConfiguration configuration)
    {
        var section = configuration.GetSection(Section);
        var proxies = section.GetSection("KnownProxies").Get<string[]>() ?? [];
        var networks = section.GetSection("KnownNetworks").Get<string[]>() ?? [];
        var limit = section.GetValue<int?>("ForwardLimit") ?? 1;
        services.Configure<ForwardedHeadersOptions>(o =>
        {
            o.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            o.ForwardLimit = limit;
            o.KnownProxies.Clear();
            o.KnownIPNetworks.Clear();
            foreach (var proxy in proxies)
            {
                o.KnownProxies.Add(IPAddress.TryParse(proxy, out var ip)
                    ? ip
                    : throw new InvalidOperationException($"{Section}:KnownProxies: '{proxy}' is not an IP address"));
            }

            foreach (var network in networks)
            {
                o.KnownIPNetworks.Add(System.Net.IPNetwork.TryParse(network, out var range)
                    ? range
                    : throw new InvalidOperationException($"{Section}:KnownNetworks: '{network}' is not a CIDR range such as 10.0.0.0/8"));
            }
        });
        return services;
    }
}
