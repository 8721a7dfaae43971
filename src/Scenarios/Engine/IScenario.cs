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
public sealed record RunPlan(int Actors, long Items, double EstimatedSeconds, double LongestStepSeconds = 0);

/// <summary>One actor of a prepared run.</summary>
/// <param name="Daemon">
/// A daemon never ends by itself: once every other actor has ended it is stopped (its token is
/// cancelled, or its child process is terminated), as Python stops daemon threads with the main program.
/// </param>
public sealed record ActorSpec(string Name, string Role, bool Daemon = false);

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
