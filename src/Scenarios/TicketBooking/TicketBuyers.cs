using Playground.Scenarios.Engine;
using Playground.Scenarios.Recording;
using Playground.Shared.Events;
using S = Playground.Shared.Catalog.TicketBookingSchema;

namespace Playground.Scenarios.TicketBooking;

/// <summary>
/// What a buyer does, the same on a thread and alone in a child process, step for step the
/// tutorial's <c>show_ticket</c> then <c>get_ticket</c>: query the count without the lock; take the
/// lock (if any); read the count, think, decide (and be told "success" if it was above 0), think,
/// write the count back; release the lock.
/// </summary>
public static class TicketBuyers
{
    public const string Query = S.StoreResource + ":query";
    public const string Read = S.StoreResource + ":read";
    public const string Think = "think";
    public const string Write = "write";

    public static void Buy(IActorRecorder log, TicketWorld world, TicketSettings s, CancellationToken cancellationToken)
    {
        var actor = log.Actor;
        var delays = Delays.ForActor(s.Seed, actor, s.Jitter, s.TimeScale);
        var store = world.Store;
        log.Record(EventKind.Start);

        // show_ticket: everyone may look, no lock.
        var shown = Guarded(log, store.Read);
        log.Record(EventKind.Get, Query, shown, Level(shown));

        var guard = world.LockFor(actor);
        guard?.Acquire(log, cancellationToken);
        try
        {
            // get_ticket: read, think, decide, think, write.
            var count = Guarded(log, store.Read);
            log.Record(EventKind.Get, Read, count, Level(count));
            log.Record(EventKind.Sleep, Think);
            Delays.Sleep(delays.Next(s.Think), cancellationToken);
            var left = count;
            if (count > 0)
            {
                left = count - 1;
                log.Record(EventKind.Mark, S.TicketResource, left);
            }

            log.Record(EventKind.Sleep, Think);
            Delays.Sleep(delays.Next(s.Think), cancellationToken);
            log.Record(EventKind.Work, Write);
            Guarded(log, () =>
            {
                store.Write(left);
                return left;
            });
            log.Record(EventKind.Put, S.StoreResource, left, Level(left));
        }
        finally
        {
            guard?.Release(log);
        }

        log.Record(EventKind.End);
    }

    /// <summary>The resource of the error a buyer records when its store fails it.</summary>
    public static string FailureResource(ActorFailedException failure) =>
        failure.Reason.Key == "ticket.failure.missing" ? S.StoreResource + ":missing" : S.StoreResource + ":corrupt";

    /// <summary>A count as a gauge level: the gauge draws levels of 0 and more only.</summary>
    private static long Level(long count) => Math.Max(0, count);

    /// <summary>Runs a store operation; a store that fails is recorded on the lane before the buyer gives up.</summary>
    private static long Guarded(IActorRecorder log, Func<long> operation)
    {
        try
        {
            return operation();
        }
        catch (ActorFailedException failure)
        {
            log.Record(EventKind.Error, FailureResource(failure));
            throw;
        }
    }
}
