using Playground.Scenarios.Engine;
using Playground.Scenarios.Primitives;
using Playground.Scenarios.Processes;
using Playground.Scenarios.Recording;
using Playground.Shared.Catalog;
using Playground.Shared.Parameters;

namespace Playground.Scenarios.Event;

/// <summary>What the boss and the workers share: the flag and the notice board.</summary>
public sealed class EventWorld(IEventFlag? flag, IAsyncEventFlag? asyncFlag, IShiftNotice notice) : IDisposable
{
    /// <summary>The blocking flag of threads and processes mode.</summary>
    public IEventFlag Flag => flag ?? throw new InvalidOperationException("this world has the async flag");

    /// <summary>The flag of async mode.</summary>
    public IAsyncEventFlag AsyncFlag => asyncFlag ?? throw new InvalidOperationException("this world has the blocking flag");

    public IShiftNotice Notice => notice;

    public void Dispose()
    {
        (flag as IDisposable)?.Dispose();
        (notice as IDisposable)?.Dispose();
    }
}

/// <summary>
/// One run of the boss and his workers: actors 0..N-1 are the workers, actor N the boss. The same
/// loops run on threads, as tasks or in child processes; the report is built from what
/// <see cref="Observe"/> saw, so it is the same code in every mode.
/// </summary>
public sealed class EventScript : ActorScript<EventWorld>
{
    private readonly EventSettings _s;
    private readonly FlagEventLog _log = new();

    public EventScript(ParameterValues values, RunEnvironment? environment)
        : base(EventSchema.Descriptor, values, environment)
    {
        _s = EventSettings.From(values);
        // Workers first and the boss last, as the seed starts them: the workers are usually
        // waiting already when the boss makes his first set, so the first set has someone to wake.
        var actors = new List<ActorSpec>(_s.Workers + 1);
        for (var w = 1; w <= _s.Workers; w++)
        {
            actors.Add(new ActorSpec($"worker-{w}", "worker"));
        }

        actors.Add(new ActorSpec("boss", "boss"));
        Actors = actors;
    }

    /// <summary>The boss's actor index: the last one.</summary>
    public int BossActor => _s.Workers;

    public override IReadOnlyList<ActorSpec> Actors { get; }

    protected internal override EventWorld CreateLocal(bool async) =>
        async
            ? new EventWorld(null, new AsyncEventFlag(), new ShiftNotice())
            : new EventWorld(new MonitorEventFlag(), null, new ShiftNotice());

    protected internal override EventWorld CreateShared(string key)
    {
        var flag = SharedEventFlag.Create(new SharedEventNames(key));
        try
        {
            return new EventWorld(flag, null, SharedShiftNotice.Create(key));
        }
        catch
        {
            flag.Dispose();
            throw;
        }
    }

    protected internal override EventWorld OpenShared(string key)
    {
        var flag = SharedEventFlag.Open(new SharedEventNames(key));
        try
        {
            return new EventWorld(flag, null, SharedShiftNotice.Open(key));
        }
        catch
        {
            flag.Dispose();
            throw;
        }
    }

    protected internal override void UnlinkShared(string key)
    {
        new SharedEventNames(key).Unlink();
        SharedShiftNotice.Unlink(key);
    }

    protected internal override void Act(int actor, EventWorld world, IActorRecorder log, CancellationToken cancellationToken)
    {
        if (actor == BossActor)
        {
            EventActors.Boss(log, world.Flag, world.Notice, _s, cancellationToken);
        }
        else
        {
            EventActors.Worker(log, world.Flag, world.Notice, _s, cancellationToken);
        }
    }

    protected internal override Task ActAsync(int actor, EventWorld world, IActorRecorder log, CancellationToken cancellationToken) =>
        actor == BossActor
            ? EventActors.BossAsync(log, world.AsyncFlag, world.Notice, _s, cancellationToken)
            : EventActors.WorkerAsync(log, world.AsyncFlag, world.Notice, _s, cancellationToken);

    protected internal override void Observe(in RawEvent e) => _log.Observe(e);

    protected internal override ScenarioOutcome Report(EventWorld world, HostResult result) =>
        EventReport.Build(Actors, BossActor, _log, result);
}
