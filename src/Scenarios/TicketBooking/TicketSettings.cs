using Playground.Shared.Catalog;
using Playground.Shared.Parameters;
using S = Playground.Shared.Catalog.TicketBookingSchema;

namespace Playground.Scenarios.TicketBooking;

/// <summary>The ticket-booking knobs, typed. Built only from validated values.</summary>
public sealed record TicketSettings(
    int Buyers,
    int Tickets,
    double Think,
    double Jitter,
    string Lock,
    string Store,
    string Mode,
    int Seed,
    double TimeScale)
{
    public static TicketSettings From(ParameterValues v) => new(
        v.GetInt32(S.Buyers),
        v.GetInt32(S.Tickets),
        v.GetDouble(S.Think),
        v.GetDouble(S.Jitter),
        v.GetString(S.Lock),
        v.GetString(S.Store),
        v.Values.ContainsKey(CommonParameters.Mode) ? v.GetString(CommonParameters.Mode) : RunModes.Threads,
        (int)v.GetInt64(CommonParameters.Seed),
        v.GetDouble(CommonParameters.TimeScale));

    /// <summary>
    /// True when the chosen lock really keeps a second buyer out in this mode: any lock between
    /// threads; between processes only the file lock and the named semaphore.
    /// </summary>
    public bool LockProtects => Lock switch
    {
        S.NoLock => false,
        S.ThreadLock => Mode != RunModes.Processes,
        _ => true,
    };

    /// <summary>The classic mistake: an in-process lock given to separate processes.</summary>
    public bool ThreadLockAcrossProcesses => Lock == S.ThreadLock && Mode == RunModes.Processes;

    /// <summary>
    /// A rough lower bound of the run: a purchase is two think times; behind a lock that protects
    /// the purchases take turns, otherwise they overlap.
    /// </summary>
    public double EstimatedSeconds => (LockProtects ? Buyers : 1) * 2 * Think * TimeScale;

    /// <summary>The longest a buyer stays silent while not blocked: one jittered think time.</summary>
    public double LongestStepSeconds => Think * (1 + Jitter) * TimeScale;
}
