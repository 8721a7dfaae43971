using Playground.Scenarios.Processes;
using Playground.Scenarios.Recording;
using Playground.Shared.Catalog;
using Playground.Shared.Parameters;
using Playground.Shared.Runs;
using Playground.Shared.Text;

namespace Playground.Scenarios.Engine;

/// <summary>What the host measured about a run, whatever its mode, for the scenario's report.</summary>
/// <param name="Mode">threads, processes or async.</param>
/// <param name="Complete">Every actor ended by itself: no cancellation, no crash.</param>
/// <param name="WallSeconds">From the first actor's start to the last one's end.</param>
/// <param name="Failure">Why the run could not finish (a child crashed), or null.</param>
/// <param name="Metrics">Figures of the mode itself: each child's start-up, the threads that served the tasks.</param>
/// <param name="Notes">What the mode adds to the summary (how many OS threads served how many tasks).</param>
/// <param name="StartTimestamp">
/// The run's time zero on the monotonic clock (the recorder's start): a report's moments count from
/// it, as the timeline's and the summary's do, in every mode.
/// </param>
public sealed record HostResult(string Mode, bool Complete, double WallSeconds, Msg? Failure, IReadOnlyList<RunMetric> Metrics, IReadOnlyList<Msg> Notes,
    long StartTimestamp)
{
    /// <summary>Processes mode: how each child ended, with its pid and its start-up (spawn to first event).</summary>
    public IReadOnlyList<ChildExit> Children { get; init; } = [];
}

/// <summary>
/// A scenario's run, said once: its actors, the primitives they share (the "world") and what each
/// actor does. <see cref="ActorHost"/> runs the same actor code on dedicated threads, as tasks, or
/// in child processes of the worker program, and the scenario only writes its report.
/// </summary>
/// <remarks>
/// One instance serves one run. <see cref="Observe"/> sees every event of every actor in every
/// mode (from several threads at once), so a report built from what it tallies is the same code
/// for all modes; in processes mode it is fed from the children's event rings.
/// </remarks>
public abstract class ActorScript<TWorld> : IScenarioExecution, IChildActorScript
    where TWorld : class
{
    protected ActorScript(ScenarioDescriptor descriptor, ParameterValues values, RunEnvironment? environment)
    {
        Descriptor = descriptor;
        Values = values;
        Environment = environment ?? RunEnvironment.ThreadsOnly();
        Mode = descriptor.HostModeOf(values);
    }

    public ScenarioDescriptor Descriptor { get; }

    public ParameterValues Values { get; }

    public RunEnvironment Environment { get; }

    /// <summary>threads, processes or async: the scenario's mode knob, or what its own choice of executor runs in.</summary>
    public string Mode { get; }

    /// <summary>
    /// In processes mode, starts the children of actors marked <see cref="ActorSpec.OnRequest"/>
    /// for the actor that runs in the server (<see cref="ActorSpec.InServer"/>); null in other modes.
    /// </summary>
    protected internal IChildLauncher? Children { get; internal set; }

    public abstract IReadOnlyList<ActorSpec> Actors { get; }

    /// <summary>
    /// In processes mode, whether each child's lane begins at its spawn with a start-up span (the
    /// cost of starting a program is the lesson) instead of at its own first event.
    /// </summary>
    protected internal virtual bool ShowsChildStartup => false;

    /// <summary>The in-process primitives of threads mode (<paramref name="async"/> false) or async mode.</summary>
    protected internal abstract TWorld CreateLocal(bool async);

    /// <summary>
    /// Processes mode, in the server: creates the run's named primitives (shared memory, POSIX
    /// semaphores, lock files) with names built from <paramref name="key"/>. The host disposes the
    /// world and calls <see cref="UnlinkShared"/> in <c>finally</c>, whatever happens.
    /// </summary>
    protected internal virtual TWorld CreateShared(string key) =>
        throw new NotSupportedException($"{Descriptor.Id} has no processes mode");

    /// <summary>Processes mode, in a child: opens what <see cref="CreateShared"/> made.</summary>
    protected internal virtual TWorld OpenShared(string key) =>
        throw new NotSupportedException($"{Descriptor.Id} has no processes mode");

    /// <summary>Removes every name <see cref="CreateShared"/> may have made; safe to call when some are missing.</summary>
    protected internal virtual void UnlinkShared(string key)
    {
    }

    /// <summary>What actor <paramref name="actor"/> does, blocking: its body in threads and processes mode.</summary>
    protected internal abstract void Act(int actor, TWorld world, IActorRecorder log, CancellationToken cancellationToken);

    /// <summary>What actor <paramref name="actor"/> does as a task, awaiting the async primitives.</summary>
    protected internal virtual Task ActAsync(int actor, TWorld world, IActorRecorder log, CancellationToken cancellationToken) =>
        throw new NotSupportedException($"{Descriptor.Id} has no async mode");

    /// <summary>Sees every event as it is recorded, in every mode; may be called from many threads at once.</summary>
    protected internal virtual void Observe(in RawEvent e)
    {
    }

    /// <summary>The scenario's figures and verdict, once every actor has ended (the world is still open).</summary>
    protected internal abstract ScenarioOutcome Report(TWorld world, HostResult result);

    public ScenarioOutcome Execute(EventRecorder recorder, IActorObserver observer, CancellationToken cancellationToken) =>
        ActorHost.Execute(this, recorder, observer, cancellationToken);

    /// <summary>Runs one actor in a child process on the primitives the server created. Returns the exit code.</summary>
    public int RunChild(string key, int actor, IActorRecorder recorder)
    {
        var world = OpenShared(key);
        try
        {
            Act(actor, world, recorder, CancellationToken.None);
        }
        finally
        {
            (world as IDisposable)?.Dispose();
        }

        return 0;
    }
}

/// <summary>The part of an <see cref="ActorScript{TWorld}"/> a child process needs.</summary>
public interface IChildActorScript
{
    int RunChild(string key, int actor, IActorRecorder recorder);
}
