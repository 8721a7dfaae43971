using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;
using Playground.Server.Identity;
using Playground.Shared.Text;

namespace Playground.Server.Limits;

/// <summary>
/// POST /api/runs is limited per address with the rate limiting middleware's partitioned limiter:
/// a client that drops its cookie on every request still draws on its address's one quota. Saves
/// (POST /api/runs/{id}/save) have a quota of their own, per address too.
/// </summary>
public static class RunStartRateLimiting
{
    public const string Policy = "run-starts";

    public const string SavePolicy = "run-saves";

    public static IServiceCollection AddRunStartRateLimiting(this IServiceCollection services)
    {
        services.AddRateLimiter(o =>
        {
            o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            o.AddPolicy(Policy, http =>
            {
                var limits = http.RequestServices.GetRequiredService<IOptions<LimitOptions>>().Value;
                return RateLimitPartition.GetSlidingWindowLimiter("ip:" + http.Owner().Address,
                    _ => StartLimiter.Sliding(limits.StartsPerAddress, TimeSpan.FromSeconds(limits.StartWindowSeconds)));
            });
            o.AddPolicy(SavePolicy, http =>
            {
                var limits = http.RequestServices.GetRequiredService<IOptions<LimitOptions>>().Value;
                return RateLimitPartition.GetSlidingWindowLimiter("ip:" + http.Owner().Address,
                    _ => StartLimiter.Sliding(limits.SavesPerAddress, TimeSpan.FromSeconds(limits.SaveWindowSeconds)));
            });
            o.OnRejected = async (context, cancellationToken) =>
            {
                var http = context.HttpContext;
                var limits = http.RequestServices.GetRequiredService<IOptions<LimitOptions>>().Value;
                var saving = http.GetEndpoint()?.Metadata.GetMetadata<EnableRateLimitingAttribute>()?.PolicyName == SavePolicy;
                var window = saving ? limits.SaveWindowSeconds : limits.StartWindowSeconds;
                http.Response.Headers.RetryAfter = Math.Ceiling(window).ToString(CultureInfo.InvariantCulture);
                await Results.Problem(statusCode: StatusCodes.Status429TooManyRequests,
                        title: Msg.Of(saving ? "api.title.tooManySaves" : "api.title.busy").Format(),
                        detail: (saving
                            ? Msg.Of("limit.addressSaves", ("max", limits.SavesPerAddress), ("seconds", window))
                            : Msg.Of("limit.addressStarts", ("max", limits.StartsPerAddress), ("seconds", window))).Format())
                    .ExecuteAsync(http);
            };
        });
        return services;
    }
}
