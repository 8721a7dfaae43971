using Playground.Shared.Catalog;
using Playground.Shared.Parameters;
using S = Playground.Shared.Catalog.EventSchema;

namespace Playground.Scenarios.Event;

/// <summary>The boss-and-workers knobs, typed. Built only from validated values.</summary>
public sealed record EventSettings(
    int Workers,
    int Rounds,
    double BossPause,
    double Work,
    double Jitter,
    double WaitTimeout,
    int Seed,
    double TimeScale)
{
    /// <summary>The boss's pause between two sets, time-scaled.</summary>
    public TimeSpan Pause => TimeSpan.FromSeconds(BossPause * TimeScale);

    /// <summary>How long one wait may last, time-scaled; null waits forever.</summary>
    public TimeSpan? WaitLimit => WaitTimeout > 0 ? TimeSpan.FromSeconds(WaitTimeout * TimeScale) : null;

    public static EventSettings From(ParameterValues v) => new(
        v.GetInt32(S.Workers),
        v.GetInt32(S.Rounds),
        v.GetDouble(S.BossPause),
        v.GetDouble(S.Work),
        v.GetDouble(S.Jitter),
        v.GetDouble(S.WaitTimeout),
        (int)v.GetInt64(CommonParameters.Seed),
        v.GetDouble(CommonParameters.TimeScale));
}
