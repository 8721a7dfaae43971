using System.Diagnostics;
using Playground.Scenarios.Engine;
using Playground.Shared.Runs;
using Playground.Shared.Text;
using S = Playground.Shared.Catalog.TicketBookingSchema;

namespace Playground.Scenarios.TicketBooking;

/// <summary>
/// The end of a ticket-booking run, the same code in every mode: who was told "success", what the
/// store holds now (read from the real file), the verdict, and — when it oversold — the reads that
/// overlapped: buyers who read a count that another buyer had already sold but not yet written.
/// </summary>
public static class TicketReport
{
    /// <summary>At most this many overlapping reads are spelled out in the evidence.</summary>
    private const int ShownOverlaps = 4;

    /// <summary>At most this many buyers are named in one line.</summary>
    private const int ShownNames = 12;

    public static ScenarioOutcome Build(TicketSettings s, IReadOnlyList<string> names, IReadOnlyList<BuyerTrace> buyers, TicketWorld world, HostResult result)
    {
        var origin = result.StartTimestamp > 0 ? result.StartTimestamp : buyers.Where(b => b.ReadAt >= 0).Select(b => b.ReadAt).DefaultIfEmpty(0).Min();
        var winners = buyers.Where(b => b.Succeeded).OrderBy(b => b.SuccessAt).ToList();
        var refused = buyers.Count(b => b.ReadAt >= 0 && b.WroteAt >= 0 && !b.Succeeded);
        var failure = StoreFailure(buyers, names, world) ?? result.Failure;
        long? final = null;
        try
        {
            final = world.Store.Read();
        }
        catch (ActorFailedException ex)
        {
            failure ??= ex.Reason;
        }

        var start = (long)s.Tickets;
        var successes = winners.Count;
        var sold = final is { } f ? start - f : (long?)null;
        // A run cut short (cancelled, a buyer failed) may stop a buyer between "success" and its
        // write: that sale is pending, not oversold. Only written sales are held to the store then.
        var pending = result.Complete ? 0 : winners.Count(w => w.WroteAt < 0);
        var oversold = sold is { } n ? Math.Max(0, successes - pending - n) : Math.Max(0, successes - start);

        var metrics = new List<RunMetric>
        {
            new("ticketsAtStart", Msg.Of("ticket.metric.ticketsAtStart"), start),
            new("successes", Msg.Of("ticket.metric.successes"), successes),
            new("refused", Msg.Of("ticket.metric.refused"), refused),
        };
        if (final is { } left)
        {
            metrics.Add(new RunMetric("finalValue", Msg.Of("ticket.metric.finalValue"), left));
            metrics.Add(new RunMetric("sold", Msg.Of("ticket.metric.sold"), start - left));
        }

        metrics.Add(new RunMetric(S.Oversold, Msg.Of("ticket.metric.oversold"), oversold));
        var waited = buyers.Where(b => b.LockWaitTicks > 0).ToList();
        if (s.Lock != S.NoLock)
        {
            metrics.Add(new RunMetric("lockWaits", Msg.Of("ticket.metric.lockWaits"), waited.Count));
            if (waited.Count > 0)
            {
                var longest = waited.MaxBy(b => b.LockWaitTicks)!;
                metrics.Add(new RunMetric("longestLockWaitMs", Msg.Of("ticket.metric.longestLockWait", ("name", names[longest.Actor])),
                    Milliseconds(longest.LockWaitTicks), Msg.Of("unit.ms")));
            }
        }

        metrics.AddRange(result.Metrics);
        var verdict = Verdict(s, names, winners, start, final, successes, refused, oversold, origin, pending);
        var notes = Notes(s, world, verdict.Held, result, failure);
        var counts = buyers.Select(b => b.Succeeded ? 1L : 0L).ToList();
        var served = successes + refused;
        return new ScenarioOutcome(result.WallSeconds > 0 ? served / result.WallSeconds : 0, Msg.Of("unit.buyersPerSecond"),
            metrics, verdict, notes, counts, failure);
    }

    private static Verdict Verdict(TicketSettings s, IReadOnlyList<string> names, List<BuyerTrace> winners,
        long start, long? final, int successes, int refused, long oversold, long origin, int pending)
    {
        var invariant = Msg.Of("ticket.invariant");
        var evidence = new List<Msg>();
        if (final is not { } left)
        {
            evidence.Add(Msg.Of("ticket.evidence.unreadable", ("successes", successes), ("tickets", start)));
            return new Verdict(successes <= start, invariant, evidence);
        }

        var held = successes - pending == start - left && successes <= start;
        if (pending > 0)
        {
            evidence.Add(Msg.Of("ticket.evidence.cutShort", ("pending", pending)));
        }

        if (held)
        {
            evidence.Add(Msg.Of("ticket.evidence.held", ("successes", successes), ("tickets", start), ("final", left),
                ("refused", refused)));
            if (successes > 0)
            {
                evidence.Add(Msg.Of("ticket.evidence.winners", ("names", NameList(names, winners)), ("more", More(winners.Count))));
            }

            return new Verdict(true, invariant, evidence);
        }

        evidence.Add(successes > start
            ? Msg.Of("ticket.evidence.oversold", ("successes", successes), ("tickets", start), ("names", NameList(names, winners)), ("more", More(winners.Count)))
            : Msg.Of("ticket.evidence.lostUpdate", ("successes", successes), ("tickets", start), ("final", left), ("oversold", oversold),
                ("names", NameList(names, winners)), ("more", More(winners.Count))));
        evidence.Add(Msg.Of("ticket.evidence.store", ("tickets", start), ("final", left), ("expected", Math.Max(0, start - successes))));
        evidence.AddRange(Overlaps(names, winners, origin));
        var explanation = s.ThreadLockAcrossProcesses ? Msg.Of("ticket.explain.threadLock") : Msg.Of("ticket.explain.noLock");
        return new Verdict(false, invariant, evidence, null, explanation);
    }

    /// <summary>
    /// Buyers told "success" for a count another winner had read first and not yet written back:
    /// both sold the same ticket.
    /// </summary>
    private static IEnumerable<Msg> Overlaps(IReadOnlyList<string> names, List<BuyerTrace> winners, long origin)
    {
        var byRead = winners.Where(w => w.ReadAt >= 0).OrderBy(w => w.ReadAt).ToList();
        var found = new List<Msg>();
        var total = 0;
        for (var i = 1; i < byRead.Count; i++)
        {
            var late = byRead[i];
            var early = byRead.Take(i).FirstOrDefault(e => e.ReadValue == late.ReadValue && e.WroteAt > late.ReadAt);
            if (early is null)
            {
                continue;
            }

            total++;
            if (found.Count < ShownOverlaps)
            {
                found.Add(Msg.Of("ticket.evidence.overlap",
                    ("actor", names[late.Actor]), ("value", late.ReadValue), ("t", Seconds(late.ReadAt, origin)),
                    ("other", names[early.Actor]), ("since", Seconds(early.ReadAt, origin)),
                    ("wrote", early.WroteValue), ("at", Seconds(early.WroteAt, origin))));
            }
        }

        if (total > found.Count)
        {
            found.Add(Msg.Of("ticket.evidence.moreOverlaps", ("count", total - found.Count)));
        }

        return found;
    }

    private static List<Msg> Notes(TicketSettings s, TicketWorld world, bool held, HostResult result, Msg? failure)
    {
        var notes = new List<Msg>();
        if (s.ThreadLockAcrossProcesses)
        {
            notes.Add(Msg.Of("ticket.note.threadLock"));
        }

        if (held && !s.LockProtects && s.Buyers > 1)
        {
            notes.Add(Msg.Of("ticket.note.lucky"));
        }

        notes.Add(Msg.Of(s.Store == S.Sqlite ? "ticket.note.store.sqlite" : "ticket.note.store.json", ("path", world.Store.Path)));
        notes.AddRange(result.Notes);
        if (failure is not null)
        {
            notes.Add(Msg.Of("note.failure", ("reason", failure)));
        }

        return notes;
    }

    /// <summary>Why the run failed when a buyer found its store gone or damaged (read from the error events, so it works in every mode).</summary>
    private static Msg? StoreFailure(IReadOnlyList<BuyerTrace> buyers, IReadOnlyList<string> names, TicketWorld world)
    {
        var first = buyers.FirstOrDefault(b => b.Failure is not null);
        return first is null
            ? null
            : Msg.Of(first.Failure == "missing" ? "ticket.failure.missingFor" : "ticket.failure.corruptFor",
                ("actor", names[first.Actor]), ("path", world.Store.Path));
    }

    private static string NameList(IReadOnlyList<string> names, List<BuyerTrace> buyers) =>
        string.Join(", ", buyers.Take(ShownNames).Select(b => names[b.Actor]));

    private static string More(int count) => count > ShownNames ? $" (+{count - ShownNames})" : "";

    private static double Seconds(long timestamp, long origin) => Math.Round((timestamp - origin) / (double)Stopwatch.Frequency, 3);

    private static double Milliseconds(long ticks) => Math.Round(ticks * 1000.0 / Stopwatch.Frequency, 1);
}
