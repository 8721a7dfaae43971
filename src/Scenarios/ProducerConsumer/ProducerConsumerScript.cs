using Playground.Scenarios.Engine;
using Playground.Scenarios.Primitives;
using Playground.Scenarios.Processes;
using Playground.Scenarios.Recording;
using Playground.Shared.Catalog;
using Playground.Shared.Parameters;

namespace Playground.Scenarios.ProducerConsumer;

/// <summary>What the actors of one run share: the queue and the countdown of producers still at work.</summary>
public sealed class ProducerConsumerWorld(IItemQueue queue, ICountdown producersLeft) : IDisposable
{
    public IItemQueue Queue { get; } = queue;

    public ICountdown ProducersLeft { get; } = producersLeft;

    public void Dispose() => (Queue as IDisposable)?.Dispose();
}

/// <summary>
/// One run of producer/consumer, said once for every mode. Actors 0..P-1 are producers, the rest
/// consumers (daemons when the queue is joinable). Threads share a <see cref="MonitorQueue"/>;
/// processes a <see cref="SharedRingQueue"/> the server creates and each child opens. The report
/// is built from the events <see cref="Observe"/> tallies, the same code in both modes.
/// </summary>
public sealed class ProducerConsumerScript : ActorScript<ProducerConsumerWorld>
{
    private readonly ProducerConsumerSettings _s;
    private readonly ProducerConsumerTally _tally;

    public ProducerConsumerScript(ParameterValues values, RunEnvironment? environment = null)
        : base(ProducerConsumerSchema.Descriptor, values, environment)
    {
        _s = ProducerConsumerSettings.From(values);
        _tally = new ProducerConsumerTally(_s);
        var actors = new List<ActorSpec>();
        for (var p = 0; p < _s.Producers; p++)
        {
            actors.Add(new ActorSpec($"producer-{p + 1}", "producer"));
        }

        for (var c = 0; c < _s.Consumers; c++)
        {
            // A joinable queue's consumers never stop by themselves: they die with the main program.
            actors.Add(new ActorSpec($"consumer-{c + 1}", "consumer", Daemon: _s.Shutdown == ShutdownStyle.Joinable));
        }

        Actors = actors;
    }

    public override IReadOnlyList<ActorSpec> Actors { get; }

    protected internal override ProducerConsumerWorld CreateLocal(bool async) =>
        new(new MonitorQueue(_s.QueueKind, _s.Capacity), new AtomicCountdown(_s.Producers));

    protected internal override ProducerConsumerWorld CreateShared(string key)
    {
        // An unbounded queue still needs a ring: room for every item and every sentinel.
        var slots = _s.Capacity > 0 ? _s.Capacity : checked((int)_s.TotalItems + _s.Consumers);
        var ring = SharedRingQueue.Create(new SharedQueueNames(key), _s.QueueKind, _s.Capacity, slots, _s.Producers);
        return new ProducerConsumerWorld(ring, ring);
    }

    protected internal override ProducerConsumerWorld OpenShared(string key)
    {
        var ring = SharedRingQueue.Open(new SharedQueueNames(key));
        return new ProducerConsumerWorld(ring, ring);
    }

    protected internal override void UnlinkShared(string key) => new SharedQueueNames(key).Unlink();

    protected internal override void Act(int actor, ProducerConsumerWorld world, IActorRecorder log, CancellationToken cancellationToken)
    {
        if (actor < _s.Producers)
        {
            ProducerConsumerActors.Produce(log, world.Queue, world.ProducersLeft, _s, actor, cancellationToken);
        }
        else
        {
            ProducerConsumerActors.Consume(log, world.Queue, world.ProducersLeft, _s, actor - _s.Producers, cancellationToken);
        }
    }

    protected internal override void Observe(in RawEvent e) => _tally.Add(e);

    protected internal override ScenarioOutcome Report(ProducerConsumerWorld world, HostResult result) =>
        ProducerConsumerReport.Build(_s, _tally.Produced(), _tally.Consumed(), world.Queue.MaxDepth, _tally.Polls,
            result.Complete, result.WallSeconds, _tally.CountPerActor(), result.Metrics, result.Failure);
}
