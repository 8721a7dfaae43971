using System.Diagnostics;
using Playground.Scenarios.Engine;
using Playground.Scenarios.Primitives;
using Playground.Scenarios.Recording;
using Playground.Shared.Events;

namespace Playground.Scenarios.ProducerConsumer;

/// <summary>
/// One run of producer/consumer in threads: a <see cref="MonitorQueue"/>, a dedicated thread per
/// actor, and one of three shutdown styles. Actors 0..P-1 are producers, the rest consumers.
/// </summary>
public sealed class ProducerConsumerExecution : IScenarioExecution
{
    /// <summary>The item a consumer reads as "no more" (Python's None).</summary>
    public const long SentinelItem = ProducerConsumerActors.SentinelItem;

    private readonly ProducerConsumerSettings _s;

    public ProducerConsumerExecution(ProducerConsumerSettings settings)
    {
        _s = settings;
        var actors = new List<ActorSpec>();
        for (var p = 0; p < settings.Producers; p++)
        {
            actors.Add(new ActorSpec($"producer-{p + 1}", "producer"));
        }

        for (var c = 0; c < settings.Consumers; c++)
        {
            actors.Add(new ActorSpec($"consumer-{c + 1}", "consumer"));
        }

        Actors = actors;
    }

    public IReadOnlyList<ActorSpec> Actors { get; }

    /// <summary>The queue of the last run; exposed for tests of the primitive under load.</summary>
    public IItemQueue? Queue { get; private set; }

    public ScenarioOutcome Execute(EventRecorder recorder, IActorObserver observer, CancellationToken cancellationToken)
    {
        var s = _s;
        var queue = new MonitorQueue(s.QueueKind, s.Capacity);
        Queue = queue;
        var produced = new List<long>[s.Producers];
        var consumed = new List<long>[s.Consumers];
        var polls = new long[s.Consumers];
        var board = new AtomicCountdown(s.Producers);
        // An actor that fails stops the others: they might otherwise wait for it until the deadline.
        using var failed = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var daemons = CancellationTokenSource.CreateLinkedTokenSource(failed.Token);
        var threads = new ActorThreads(recorder, observer, failed.Cancel);
        var run = failed.Token;
        recorder.MarkStart();
        var started = Stopwatch.GetTimestamp();

        for (var p = 0; p < s.Producers; p++)
        {
            var index = p;
            var mine = produced[index] = new List<long>(s.ItemsPerProducer);
            threads.Start(index, Actors[index].Name, log =>
                ProducerConsumerActors.Produce(log, queue, board, s, index, mine.Add, run));
        }

        for (var c = 0; c < s.Consumers; c++)
        {
            var index = c;
            var actor = s.Producers + c;
            var mine = consumed[index] = [];
            threads.Start(actor, Actors[actor].Name, log =>
            {
                if (s.Shutdown != ShutdownStyle.Joinable)
                {
                    polls[index] = ProducerConsumerActors.Consume(log, queue, board, s, index, mine.Add, run);
                    return;
                }

                try
                {
                    ProducerConsumerActors.Consume(log, queue, board, s, index, mine.Add, daemons.Token);
                }
                catch (OperationCanceledException) when (!run.IsCancellationRequested)
                {
                    // A daemon consumer dies with the main program once the producers return.
                    log.Record(EventKind.End, "daemon stopped");
                }
            });
        }

        if (s.Shutdown == ShutdownStyle.Joinable)
        {
            // The main program's p.join(): once every producer has returned (each after join()),
            // the daemon consumers are stopped.
            for (var p = 0; p < s.Producers; p++)
            {
                threads.Join(p);
            }

            daemons.Cancel();
        }

        threads.JoinAll();
        var wallSeconds = Stopwatch.GetElapsedTime(started).TotalSeconds;

        if (threads.Errors.Count > 0)
        {
            throw new AggregateException("An actor failed", threads.Errors);
        }

        var counts = produced.Select(x => (long)x.Count).Concat(consumed.Select(x => (long)x.Count)).ToList();
        return ProducerConsumerReport.Build(s, [.. produced.SelectMany(x => x)], [.. consumed.SelectMany(x => x)], queue.MaxDepth,
            polls.Sum(), complete: !cancellationToken.IsCancellationRequested, wallSeconds, counts);
    }

    private static int Seed(int seed, int actor) => unchecked((seed * 1_000_003) + (actor * 7919) + 17);
}
