using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;
using Playground.Server.Identity;
using Playground.Shared.Text;

namespace Playground.Server.Limits;

/// <summary>
/// POST /api/runs is limited per address with the rate limiting middleware's partitioned limiter:
/// a client that drops its cookie on every request still draws on its address's one quota.
/// </summary>
public static class RunStartRateLimiting
{
    public const string Policy = "run-starts";

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
            o.OnRejected = async (context, cancellationToken) =>
            {
                var http = context.HttpContext;
                var limits = http.RequestServices.GetRequiredService<IOptions<LimitOptions>>().Value;
                http.Response.Headers.RetryAfter = Math.Ceiling(limits.StartWindowSeconds).ToString(CultureInfo.InvariantCulture);
                await Results.Problem(statusCode: StatusCodes.Status429TooManyRequests,
                        title: Msg.Of("api.title.busy").Format(),
                        detail: Msg.Of("limit.addressStarts", ("max", limits.StartsPerAddress), ("seconds", limits.StartWindowSeconds)).Format())
                    .ExecuteAsync(http);
            };
        });
        return services;
    }
}
