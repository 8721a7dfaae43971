using Playground.Scenarios.Engine;
using Playground.Scenarios.Primitives;
using Playground.Scenarios.Recording;
using Playground.Shared.Events;

namespace Playground.Scenarios.ProducerConsumer;

/// <summary>
/// The producer and consumer loops. The same code runs on a thread of the server or alone in a
/// child process: it sees only an <see cref="IActorRecorder"/>, an <see cref="IItemQueue"/> and
/// the <see cref="ICountdown"/> of producers still at work.
/// </summary>
public static class ProducerConsumerActors
{
    /// <summary>The item a consumer reads as "no more" (Python's None).</summary>
    public const long SentinelItem = -1;

    /// <summary>Item ids are dense: producer p makes p×items … p×items+items−1.</summary>
    public static long ItemId(ProducerConsumerSettings s, int producer, int sequence) => ((long)producer * s.ItemsPerProducer) + sequence;

    public static void Produce(IActorRecorder log, IItemQueue queue, ICountdown producersLeft, ProducerConsumerSettings s,
        int producer, CancellationToken cancellationToken)
    {
        var delays = Delays.ForActor(s.Seed, producer, s.Jitter, s.TimeScale);
        log.Record(EventKind.Start);
        for (var i = 0; i < s.ItemsPerProducer; i++)
        {
            var item = ItemId(s, producer, i);
            log.Record(EventKind.Work, "make", item);
            Delays.Sleep(delays.Next(s.ProduceDelay), cancellationToken);
            queue.Put(log, item, delays.NextInt(10), cancellationToken);
        }

        if (s.Shutdown == ShutdownStyle.Joinable)
        {
            // As in the joinable-queue recipe: a producer returns only when all it made is eaten.
            queue.Join(log, cancellationToken);
        }

        if (producersLeft.Signal() && s.Shutdown == ShutdownStyle.Sentinel)
        {
            // The last producer to finish tells every consumer to stop.
            for (var c = 0; c < s.Consumers; c++)
            {
                queue.Put(log, SentinelItem, long.MaxValue, cancellationToken);
            }
        }

        log.Record(EventKind.End);
    }

    /// <summary>
    /// Eats items until told to stop in the chosen shutdown style. A joinable-queue consumer is a
    /// daemon: it never returns by itself and is stopped by its token (threads) or killed (processes).
    /// A busy-polling consumer records a <c>poll</c> for every look that found nothing to take.
    /// </summary>
    public static void Consume(IActorRecorder log, IItemQueue queue, ICountdown producersLeft, ProducerConsumerSettings s,
        int consumer, CancellationToken cancellationToken)
    {
        var delays = Delays.ForActor(s.Seed, s.Producers + consumer, s.Jitter, s.TimeScale);
        log.Record(EventKind.Start);
        switch (s.Shutdown)
        {
            case ShutdownStyle.Sentinel:
                while (true)
                {
                    var item = queue.Get(log, cancellationToken);
                    if (item == SentinelItem)
                    {
                        break;
                    }

                    Eat(log, item, delays, s, cancellationToken);
                }

                break;

            case ShutdownStyle.Joinable:
                while (true)
                {
                    var item = queue.Get(log, cancellationToken);
                    Eat(log, item, delays, s, cancellationToken);
                    queue.TaskDone(log);
                }

            default:
                var interval = TimeSpan.FromSeconds(ProducerConsumerSettings.PollIntervalSeconds * s.TimeScale);
                while (true)
                {
                    if (queue.IsEmpty(log))
                    {
                        if (producersLeft.IsZero && queue.IsEmpty(log))
                        {
                            break;
                        }

                        log.Record(EventKind.Poll, MonitorQueue.EmptyResource);
                        log.Record(EventKind.Sleep, "poll interval");
                        Delays.Sleep(interval, cancellationToken);
                        continue;
                    }

                    // empty() said no, but another consumer may take the item first: check-then-act.
                    if (!queue.TryGet(log, out var next))
                    {
                        log.Record(EventKind.Poll, "queue:raced");
                        continue;
                    }

                    Eat(log, next, delays, s, cancellationToken);
                }

                break;
        }

        log.Record(EventKind.End);
    }

    private static void Eat(IActorRecorder log, long item, Delays delays, ProducerConsumerSettings s, CancellationToken cancellationToken)
    {
        log.Record(EventKind.Work, "eat", item);
        Delays.Sleep(delays.Next(s.ConsumeDelay), cancellationToken);
    }
}
