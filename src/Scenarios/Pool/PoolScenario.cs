using Playground.Scenarios.Engine;
using Playground.Scenarios.Processes;
using Playground.Scenarios.Recording;
using Playground.Shared.Catalog;
using Playground.Shared.Parameters;

namespace Playground.Scenarios.Pool;

/// <summary>进程池: a parent hands tasks to a pool of workers — threads, processes, a process per task, or async tasks.</summary>
public sealed class PoolScenario : IScenario
{
    public ScenarioDescriptor Descriptor => PoolSchema.Descriptor;

    public RunPlan Plan(ParameterValues values)
    {
        var s = PoolSettings.From(values);
        return new RunPlan(1 + s.Workers, s.Tasks, s.EstimatedSeconds, s.LongestStepSeconds)
        {
            // The parent runs in the server; every worker is a child.
            ChildProcesses = s.Workers,
        };
    }

    public IScenarioExecution Create(ParameterValues values, RunEnvironment? environment = null) =>
        new PoolScript(values, environment);
}

/// <summary>
/// One pool run, said once for every executor: the parent (actor 0) and the workers, the queues of
/// <see cref="PoolWorld"/>, and the report built from the events. The executor knob picks the
/// host mode: a thread pool runs in threads, async tasks in async mode, a process pool and a
/// process per task in processes mode.
/// </summary>
/// <remarks>
/// In processes mode the parent runs in the server itself, on the run's own thread, not in a child:
/// it is the main program that creates the pool, and the process that starts a child for each task
/// must be one that outlives them all (PR_SET_PDEATHSIG follows the thread that forked). It puts
/// tasks on and takes results off the same shared ring buffers the children use, blocking in the
/// kernel on the same POSIX semaphores — as multiprocessing's parent does; nothing is relayed.
/// </remarks>
public sealed class PoolScript : ActorScript<PoolWorld>
{
    // Each lane's name carries its role ("worker-1", "process-7"), so the lane shows its pid or
    // thread id beside the name instead of repeating the role.
    public const string ParentRole = "parent";
    public const string WorkerRole = "worker";
    public const string TaskProcessRole = "process";

    private readonly PoolTally _tally;

    public PoolScript(ParameterValues values, RunEnvironment? environment = null)
        : base(PoolSchema.Descriptor, values, environment)
    {
        Settings = PoolSettings.From(values);
        var workers = Settings.ProcessPerTask
            ? Enumerable.Range(0, Settings.Tasks).Select(t => new ActorSpec($"process-{t}", TaskProcessRole) { OnRequest = true })
            : Enumerable.Range(1, Settings.PoolSize).Select(w => new ActorSpec($"worker-{w}", WorkerRole));
        Actors = [new ActorSpec("parent", ParentRole) { InServer = true }, .. workers];
        _tally = new PoolTally(Settings.Tasks, Actors.Count);
    }

    public PoolSettings Settings { get; }

    public override IReadOnlyList<ActorSpec> Actors { get; }

    /// <summary>A process's start-up is what a pool saves: every child's lane begins at its spawn.</summary>
    protected internal override bool ShowsChildStartup => true;

    protected internal override PoolWorld CreateLocal(bool async) => async ? PoolWorld.Async(Settings) : PoolWorld.Threads(Settings);

    protected internal override PoolWorld CreateShared(string key) => PoolWorld.CreateShared(key, Settings);

    protected internal override PoolWorld OpenShared(string key) => PoolWorld.OpenShared(key, Settings);

    protected internal override void UnlinkShared(string key) => PoolWorld.Unlink(key);

    protected internal override void Act(int actor, PoolWorld world, IActorRecorder log, CancellationToken cancellationToken)
    {
        if (actor == 0)
        {
            PoolParent.Run(log, world, Settings, Children, cancellationToken);
        }
        else if (Settings.ProcessPerTask)
        {
            PoolWorkers.RunOne(log, world, Settings, actor - 1, cancellationToken);
        }
        else
        {
            PoolWorkers.Serve(log, world, Settings, process: Mode == RunModes.Processes, cancellationToken);
        }
    }

    protected internal override Task ActAsync(int actor, PoolWorld world, IActorRecorder log, CancellationToken cancellationToken) =>
        actor == 0
            ? PoolParent.RunAsync(log, world, Settings, cancellationToken)
            : PoolWorkers.ServeAsync(log, world, Settings, cancellationToken);

    protected internal override void Observe(in RawEvent e) => _tally.Observe(e);

    protected internal override ScenarioOutcome Report(PoolWorld world, HostResult result) =>
        PoolReport.Build(Settings, _tally.Snapshot(), result);
}
