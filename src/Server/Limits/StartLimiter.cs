using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;
using Playground.Server.Identity;
using Playground.Shared.Text;

namespace Playground.Server.Limits;

/// <summary>
/// How often run starts are admitted through the hub and the page: per identity (so reconnecting
/// gives no fresh quota) and per address (so minting identities gives none either), chained
/// partitioned sliding windows. The REST API is limited per address by the ASP.NET Core rate
/// limiting middleware (<see cref="RunStartRateLimiting"/>).
/// </summary>
public sealed class StartLimiter : IDisposable
{
    private readonly PartitionedRateLimiter<RunOwner> _limiter;
    private readonly LimitOptions _options;

    public StartLimiter(IOptions<LimitOptions> options)
    {
        _options = options.Value;
        var window = Window;
        var byIdentity = PartitionedRateLimiter.Create<RunOwner, string>(owner =>
            RateLimitPartition.GetSlidingWindowLimiter("id:" + owner.Identity, _ => Sliding(_options.StartsPerIdentity, window)));
        var byAddress = PartitionedRateLimiter.Create<RunOwner, string>(owner =>
            RateLimitPartition.GetSlidingWindowLimiter("ip:" + owner.Address, _ => Sliding(_options.StartsPerAddress, window)));
        _limiter = PartitionedRateLimiter.CreateChained(byIdentity, byAddress);
    }

    public TimeSpan Window => TimeSpan.FromSeconds(_options.StartWindowSeconds);

    /// <summary>Why a start was refused.</summary>
    public Msg Refusal => Msg.Of("limit.starts", ("max", _options.StartsPerIdentity), ("seconds", _options.StartWindowSeconds));

    /// <summary>Takes one start for <paramref name="owner"/>; false when its identity or its address is over the limit.</summary>
    public bool TryTake(RunOwner owner)
    {
        using var lease = _limiter.AttemptAcquire(owner);
        return lease.IsAcquired;
    }

    internal static SlidingWindowRateLimiterOptions Sliding(int permits, TimeSpan window) => new()
    {
        PermitLimit = permits,
        Window = window,
        SegmentsPerWindow = 5,
        QueueLimit = 0,
        AutoReplenishment = true,
    };

    public void Dispose() => _limiter.Dispose();
}
