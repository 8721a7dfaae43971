using System.Diagnostics;
using Playground.Scenarios.Primitives;
using Playground.Scenarios.Recording;
using Playground.Shared.Events;
using Playground.Shared.Runs;
using Playground.Shared.Text;

namespace Playground.Scenarios.Event;

/// <summary>One operation on the flag as an actor recorded it.</summary>
public readonly record struct FlagEvent(long Timestamp, int Actor, FlagOperation Operation, long Value);

public enum FlagOperation
{
    /// <summary>A wait that blocked (the flag was clear).</summary>
    Wait,
    Set,
    /// <summary>A blocked wait that returned because of a set.</summary>
    Woken,
    /// <summary>A wait that returned at once because the flag was up.</summary>
    PassedUp,
    /// <summary>A blocked wait whose timeout ran out (it returned False).</summary>
    TimedOut,
    Clear,
}

/// <summary>What a set did: when, by whom, and whom it woke how long after.</summary>
public sealed record SetRecord(int Number, long Timestamp, int Actor, List<(int Actor, long LatencyTicks)> Woke);

/// <summary>A pass the invariant forbids.</summary>
/// <param name="AtOnce">True: it passed without blocking while the flag was clear; false: it passed a blocked wait with no set after it began.</param>
public sealed record FlagViolation(int Actor, long Timestamp, long WaitedSince, bool AtOnce);

/// <summary>The flag's history replayed in time order, and what the invariant found.</summary>
public sealed record FlagHistory(
    IReadOnlyList<SetRecord> Sets,
    long Clears,
    long BlockedWaits,
    long WokenPasses,
    long PassesAtOnce,
    long Timeouts,
    IReadOnlyList<FlagViolation> Violations,
    IReadOnlyDictionary<int, long> PassesByActor);

/// <summary>
/// Gathers the flag's events from <c>Observe</c> (every mode, many threads at once) and replays
/// them in time order. Every flavour of the flag records its events inside its own lock with a
/// timestamp of the machine's monotonic clock (one clock for every process), so sorting them by
/// timestamp gives the order in which they really happened.
/// </summary>
public sealed class FlagEventLog
{
    private readonly List<FlagEvent> _events = [];
    private long _first = long.MaxValue;

    /// <summary>The earliest event of any kind seen: time zero for the evidence when the run's start is unknown.</summary>
    public long FirstTimestamp => Interlocked.Read(ref _first);

    public void Observe(in RawEvent e)
    {
        var first = Interlocked.Read(ref _first);
        while (e.Timestamp < first)
        {
            var seen = Interlocked.CompareExchange(ref _first, e.Timestamp, first);
            if (seen == first)
            {
                break;
            }

            first = seen;
        }

        FlagOperation? operation = (e.Kind, e.Resource) switch
        {
            (EventKind.Wait, EventFlagResources.Flag) => FlagOperation.Wait,
            (EventKind.Set, EventFlagResources.Flag) => FlagOperation.Set,
            (EventKind.Clear, EventFlagResources.Flag) => FlagOperation.Clear,
            (EventKind.Acquire, EventFlagResources.Woken) => FlagOperation.Woken,
            (EventKind.Acquire, EventFlagResources.Up) => FlagOperation.PassedUp,
            (EventKind.Poll, EventFlagResources.TimedOut) => FlagOperation.TimedOut,
            _ => null,
        };
        if (operation is null)
        {
            return;
        }

        // Bounded by the scenario: each worker waits at most "rounds" times and clears fewer times than that.
        lock (_events)
        {
            _events.Add(new FlagEvent(e.Timestamp, e.Actor, operation.Value, e.Value));
        }
    }

    public List<FlagEvent> Snapshot()
    {
        lock (_events)
        {
            return [.. _events];
        }
    }
}

/// <summary>
/// No worker passes a wait while the flag is clear. From the events alone: a wait that blocked
/// may pass only once some set has come after it began waiting (a waiter woken by that set passes
/// even if a peer clears the flag right after, as in Python); a wait that did not block may pass
/// only while the flag is up. A pass for a set from before the wait began, with a clear between,
/// or with no set at all, is a violation — the stolen wake-up of an event built on a semaphore.
/// </summary>
public static class EventInvariant
{
    public static Msg Statement { get; } = Msg.Of("event.invariant");

    public static FlagHistory Replay(IEnumerable<FlagEvent> events)
    {
        // Equal timestamps are all but impossible (each event is taken in its own critical
        // section); should two meet, the order that a correct flag could have produced is taken.
        var ordered = events.OrderBy(e => e.Timestamp).ThenBy(e => Rank(e.Operation)).ToList();
        var sets = new List<SetRecord>();
        var pending = new Dictionary<int, (int SetsBefore, long Since)>();
        var passes = new Dictionary<int, long>();
        var violations = new List<FlagViolation>();
        var up = false;
        long clears = 0, blocked = 0, woken = 0, atOnce = 0, timeouts = 0;
        foreach (var e in ordered)
        {
            switch (e.Operation)
            {
                case FlagOperation.Set:
                    sets.Add(new SetRecord(sets.Count + 1, e.Timestamp, e.Actor, []));
                    up = true;
                    break;
                case FlagOperation.Clear:
                    clears++;
                    up = false;
                    break;
                case FlagOperation.Wait:
                    blocked++;
                    pending[e.Actor] = (sets.Count, e.Timestamp);
                    break;
                case FlagOperation.Woken:
                    passes[e.Actor] = passes.GetValueOrDefault(e.Actor) + 1;
                    if (!pending.Remove(e.Actor, out var wait))
                    {
                        // Woken from a wait it never recorded: nothing shows a set came after it began.
                        violations.Add(new FlagViolation(e.Actor, e.Timestamp, e.Timestamp, AtOnce: false));
                    }
                    else if (sets.Count > wait.SetsBefore)
                    {
                        // The first set after the wait began released it.
                        var by = sets[wait.SetsBefore];
                        by.Woke.Add((e.Actor, e.Timestamp - by.Timestamp));
                        woken++;
                    }
                    else
                    {
                        violations.Add(new FlagViolation(e.Actor, e.Timestamp, wait.Since, AtOnce: false));
                    }

                    break;
                case FlagOperation.PassedUp:
                    passes[e.Actor] = passes.GetValueOrDefault(e.Actor) + 1;
                    if (up)
                    {
                        atOnce++;
                    }
                    else
                    {
                        violations.Add(new FlagViolation(e.Actor, e.Timestamp, e.Timestamp, AtOnce: true));
                    }

                    break;
                case FlagOperation.TimedOut:
                    pending.Remove(e.Actor);
                    timeouts++;
                    break;
            }
        }

        return new FlagHistory(sets, clears, blocked, woken, atOnce, timeouts, violations, passes);
    }

    private const int MaxNamed = 10;

    /// <summary>The verdict, its evidence, and the sets named one by one (who each woke, and how fast).</summary>
    public static Verdict Check(FlagHistory history, IReadOnlyList<string> names, long timeZero)
    {
        var evidence = new List<Msg>();
        if (history.Violations.Count > 0)
        {
            foreach (var v in history.Violations.Take(MaxNamed))
            {
                evidence.Add(v.AtOnce
                    ? Msg.Of("event.evidence.passedClear", ("actor", names[v.Actor]), ("t", Seconds(v.Timestamp, timeZero)))
                    : Msg.Of("event.evidence.passedNoSet", ("actor", names[v.Actor]), ("t", Seconds(v.Timestamp, timeZero)),
                        ("since", Seconds(v.WaitedSince, timeZero))));
            }

            if (history.Violations.Count > MaxNamed)
            {
                evidence.Add(Msg.Of("list.more", ("count", history.Violations.Count - MaxNamed)));
            }

            return new Verdict(false, Statement, evidence, Explanation: Msg.Of("event.explain.violated"));
        }

        evidence.Add(Msg.Of("event.evidence.checked", ("passes", history.WokenPasses + history.PassesAtOnce),
            ("woken", history.WokenPasses), ("atOnce", history.PassesAtOnce), ("timeouts", history.Timeouts)));
        foreach (var set in history.Sets.Take(MaxNamed))
        {
            evidence.Add(Describe(set, names, timeZero));
        }

        if (history.Sets.Count > MaxNamed)
        {
            evidence.Add(Msg.Of("list.more", ("count", history.Sets.Count - MaxNamed)));
        }

        return new Verdict(true, Statement, evidence);
    }

    private static Msg Describe(SetRecord set, IReadOnlyList<string> names, long timeZero)
    {
        var t = Seconds(set.Timestamp, timeZero);
        if (set.Woke.Count == 0)
        {
            return Msg.Of("event.evidence.setWokeNone", ("n", set.Number), ("actor", names[set.Actor]), ("t", t));
        }

        var woke = set.Woke.Take(MaxNamed).Select(w => names[w.Actor]).ToList();
        var more = set.Woke.Count > MaxNamed ? (object)Msg.Of("list.more", ("count", set.Woke.Count - MaxNamed)) : "";
        return Msg.Of("event.evidence.set", ("n", set.Number), ("actor", names[set.Actor]), ("t", t), ("count", set.Woke.Count),
            ("names", woke), ("more", more),
            ("mean", Microseconds(set.Woke.Average(w => (double)w.LatencyTicks))), ("max", Microseconds(set.Woke.Max(w => w.LatencyTicks))));
    }

    public static double Microseconds(double ticks) => Math.Round(ticks * 1_000_000.0 / Stopwatch.Frequency, 1);

    private static double Seconds(long timestamp, long timeZero) => Math.Round((timestamp - timeZero) / (double)Stopwatch.Frequency, 3);

    private static int Rank(FlagOperation operation) => operation switch
    {
        FlagOperation.Wait => 0,
        FlagOperation.Set => 1,
        FlagOperation.Woken => 2,
        FlagOperation.PassedUp => 3,
        FlagOperation.TimedOut => 4,
        _ => 5,
    };
}
