using Playground.Scenarios.Engine;
using Playground.Scenarios.Primitives;
using Playground.Shared.Catalog;
using Playground.Shared.Parameters;
using S = Playground.Shared.Catalog.SemaphoreSchema;

namespace Playground.Scenarios.Semaphore;

/// <summary>The parking-lot knobs, typed. Built only from validated values.</summary>
public sealed record SemaphoreSettings(
    int Workers,
    int Permits,
    double Hold,
    double Jitter,
    bool Staggered,
    SemaphoreKind Kind,
    bool ExtraRelease,
    int Seed,
    double TimeScale)
{
    public static SemaphoreSettings From(ParameterValues v) => new(
        v.GetInt32(S.Workers),
        v.GetInt32(S.Permits),
        v.GetDouble(S.Hold),
        v.GetDouble(S.Jitter),
        v.GetString(S.Arrival) == S.Staggered,
        v.GetString(S.Kind) == S.Bounded ? SemaphoreKind.Bounded : SemaphoreKind.Counting,
        v.GetString(S.ExtraRelease) == S.On,
        (int)v.GetInt64(CommonParameters.Seed),
        v.GetDouble(CommonParameters.TimeScale));

    /// <summary>
    /// Seconds between two staggered arrivals, before time scaling: the lot frees one space every
    /// hold ÷ permits seconds on average, so cars arrive as fast as spaces come free.
    /// </summary>
    public double ArrivalGap => Hold / Permits;

    /// <summary>From the first staggered arrival to the last, before time scaling and jitter; 0 when all come at once.</summary>
    public double ArrivalSpread => Staggered ? (Workers - 1) * ArrivalGap : 0;

    /// <summary>
    /// A rough lower bound of the run: the lot serves at most <see cref="Permits"/> cars per parking
    /// time, and a staggered run lasts at least until the last car has arrived and parked.
    /// </summary>
    public double EstimatedSeconds => Math.Max(Math.Ceiling((double)Workers / Permits) * Hold, ArrivalSpread + Hold) * TimeScale;

    /// <summary>The longest a car stays silent: parked for a jittered hold, or asleep until its arrival.</summary>
    public double LongestStepSeconds => Math.Max(Hold, ArrivalSpread) * (1 + Jitter) * TimeScale;

    /// <summary>
    /// When car <paramref name="car"/> reaches the lot after the run starts: 0 when all come at
    /// once; staggered, the sum of its predecessors' jittered gaps. Every process draws the same
    /// gaps from the run's seed, so a car in a child arrives when it would in a thread.
    /// </summary>
    public TimeSpan ArrivalDelay(int car)
    {
        if (!Staggered || car <= 0)
        {
            return TimeSpan.Zero;
        }

        var gaps = Delays.ForActor(Seed, -1, Jitter, TimeScale);
        var total = TimeSpan.Zero;
        for (var k = 0; k < car; k++)
        {
            total += gaps.Next(ArrivalGap);
        }

        return total;
    }

    /// <summary>Car <paramref name="car"/>'s own random draws (its parking time), the same in every mode.</summary>
    public Delays DelaysOf(int car) => Delays.ForActor(Seed, car, Jitter, TimeScale);
}
