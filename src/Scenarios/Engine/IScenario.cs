using Playground.Scenarios.Recording;
using Playground.Shared.Catalog;
using Playground.Shared.Parameters;
using Playground.Shared.Runs;
using Playground.Shared.Text;

namespace Playground.Scenarios.Engine;

/// <summary>What a setup will cost, so the run manager can admit or refuse it before it starts.</summary>
/// <param name="Actors">Threads or processes the run will start.</param>
/// <param name="Items">Work items the run will move (items, tasks, tickets...).</param>
/// <param name="EstimatedSeconds">A rough lower bound of the run's wall time.</param>
/// <param name="LongestStepSeconds">
/// The longest an actor may legitimately go without recording an event (its longest sleep or
/// piece of work); the run's watchdog never calls an actor stuck before this has passed.
/// </param>
public sealed record RunPlan(int Actors, long Items, double EstimatedSeconds, double LongestStepSeconds = 0)
{
    /// <summary>
    /// In processes mode, the most child processes the run holds at once, not counting the one
    /// that holds its process group; null for one per actor.
    /// </summary>
    public int? ChildProcesses { get; init; }
}

/// <summary>One actor of a prepared run.</summary>
/// <param name="Daemon">
/// A daemon never ends by itself: once every other actor has ended it is stopped (its token is
/// cancelled, or its child process is terminated), as Python stops daemon threads with the main program.
/// </param>
public sealed record ActorSpec(string Name, string Role, bool Daemon = false)
{
    /// <summary>
    /// In processes mode this actor runs in the server process, on the run's own thread, instead of
    /// in a child: the main program of a multiprocessing script, which starts the children, feeds
    /// them and takes their results through the run's shared primitives. At most one per run.
    /// </summary>
    public bool InServer { get; init; }

    /// <summary>
    /// In processes mode this actor's child is not started with the run but when the
    /// <see cref="InServer"/> actor asks for it (<see cref="IChildLauncher.Start"/>): a process started per task.
    /// </summary>
    public bool OnRequest { get; init; }
}

/// <summary>What the server-side actor of a processes run uses to start and join children on request.</summary>
public interface IChildLauncher
{
    /// <summary>
    /// Starts the child of <paramref name="actor"/> (an <see cref="ActorSpec.OnRequest"/> actor)
    /// and returns its pid. Only from the run's own thread: the kernel's PR_SET_PDEATHSIG follows
    /// the thread that forked, so a child started from a thread that retires would be killed.
    /// </summary>
    int Start(int actor);

    /// <summary>Waits until the child of <paramref name="actor"/> has exited (Process.join); false when a child crashed or the wait was cancelled.</summary>
    bool Join(int actor, CancellationToken cancellationToken);
}

/// <summary>What a scenario reports at the end, beside the figures every run gets.</summary>
/// <remarks><c>Failure</c> says why the run could not finish (a child crashed); the figures then cover what happened.</remarks>
public sealed record ScenarioOutcome(
    double Throughput,
    Msg ThroughputUnit,
    IReadOnlyList<RunMetric> Metrics,
    Verdict Verdict,
    IReadOnlyList<Msg> Notes,
    IReadOnlyList<long> CountPerActor,
    Msg? Failure = null);

/// <summary>A scenario of the catalogue: its knobs, and how to build a run from validated values.</summary>
public interface IScenario
{
    ScenarioDescriptor Descriptor { get; }

    RunPlan Plan(ParameterValues values);

    IScenarioExecution Create(ParameterValues values, Processes.RunEnvironment? environment = null);
}

/// <summary>Where actors report their identity as they start (thread id, pid).</summary>
public interface IActorObserver
{
    void ActorStarted(int actor, int pid, int threadId);
}

/// <summary>One prepared run of a scenario.</summary>
public interface IScenarioExecution
{
    IReadOnlyList<ActorSpec> Actors { get; }

    /// <summary>
    /// Runs every actor to its end on dedicated threads and blocks the caller until then.
    /// On cancellation the actors stop within moments and the outcome covers what happened.
    /// </summary>
    ScenarioOutcome Execute(EventRecorder recorder, IActorObserver observer, CancellationToken cancellationToken);
}
