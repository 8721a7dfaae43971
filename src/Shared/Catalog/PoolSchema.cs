using System.Globalization;
using Playground.Shared.Parameters;

namespace Playground.Shared.Catalog;

/// <summary>The pool (进程池) scenario's id and knobs.</summary>
public static class PoolSchema
{
    public const string Id = "pool";

    public const string Tasks = "tasks";
    public const string PoolSize = "poolSize";
    public const string TaskKind = "taskKind";
    public const string TaskDuration = "taskDuration";
    public const string Spread = "spread";
    public const string Submit = "submit";
    public const string Executor = "executor";
    public const string Gil = "gil";
    public const string Failures = "failures";

    public const string Cpu = "cpu";
    public const string Io = "io";
    public const string Mixed = "mixed";

    public const string Map = "map";
    public const string ApplyAsync = "applyAsync";
    public const string Apply = "apply";

    public const string ThreadPool = "threadPool";
    public const string ProcessPool = "processPool";
    public const string ProcessPerTask = "processPerTask";
    public const string Async = "async";

    public const string Off = "off";
    public const string On = "on";

    /// <summary>The resource of the parent's table of tasks submitted and not yet answered (Python's pool._cache); the "pending" gauge follows it.</summary>
    public const string PendingResource = "pending";

    /// <summary>The resource of a task's own work (computing, sleeping); its spans are labelled with the task's number.</summary>
    public const string TaskResource = "task";

    /// <summary>The resource of the parent's work while it starts a task's process; labelled with the task's number too.</summary>
    public const string SpawnResource = "spawn";

    /// <summary>The comparison of pool sizes (a speed-up curve per executor).</summary>
    public const string Sweep = "sweep";

    /// <summary>The comparison of a process pool with a process per task.</summary>
    public const string PerTask = "perTask";

    /// <summary>The run metric a batch averages: the host's wall time, first start to last end.</summary>
    public const string WallMs = "wallMs";

    /// <summary>The most workers a pool may have.</summary>
    public const int MaxPoolSize = 64;

    /// <summary>The machine's core count (up to <see cref="MaxPoolSize"/>): Pool() without an argument starts that many workers.</summary>
    public static int CoreCount { get; } = Math.Clamp(Environment.ProcessorCount, 1, MaxPoolSize);

    public static ScenarioDescriptor Descriptor { get; } = new()
    {
        Id = Id,
        Name = "Pool",
        NameZh = "进程池",
        Summary = "Twenty tasks for a pool of workers: threads, processes, a new process per task or async tasks; CPU-bound or I/O-bound, with or without a GIL.",
        Modes = [RunModes.Threads, RunModes.Processes, RunModes.Async],
        ModeParameter = Executor,
        HostModes = new Dictionary<string, string>
        {
            [ThreadPool] = RunModes.Threads,
            [ProcessPool] = RunModes.Processes,
            [ProcessPerTask] = RunModes.Processes,
            [Async] = RunModes.Async,
        },
        ActorFields = [Tasks, PoolSize, Executor],
        ItemFields = [Tasks],
        DurationFields = [Tasks, TaskDuration, PoolSize, TaskKind, Executor, Gil, Submit, CommonParameters.TimeScale],
        Gauges = [new GaugeSpec { Id = "pending", Resource = PendingResource, LimitParameter = Tasks }],
        SpanLabels = [TaskResource, SpawnResource],
        Comparisons =
        [
            // The same tasks with pools of 1, 2, … workers: threads behind the GIL stay flat, processes
            // climb to the core count, sleeping tasks climb past it.
            new ComparisonSpec
            {
                Id = Sweep, Chart = ComparisonChart.Speedup, Vary = PoolSize,
                Series = Executor, SeriesOptions = [ThreadPool, ProcessPool, Async], DefaultSeries = [ThreadPool, ProcessPool],
                DefaultTop = Math.Clamp(2 * CoreCount, 2, 8), DefaultRepeat = 2,
                Metrics = ["cpuPercent"],
            },
            // The tutorial's benchmark, fairly: both sides run the same tasks.
            new ComparisonSpec
            {
                Id = PerTask, Chart = ComparisonChart.Ratio, Vary = Executor, Values = [ProcessPool, ProcessPerTask],
                DefaultRepeat = 3,
                Metrics = ["processes", "startupMeanMs", "cpuPercent"],
                Suggested = new Dictionary<string, string> { [Tasks] = "100", [TaskDuration] = "0" },
            },
        ],
        Parameters =
        [
            new ParameterSpec
            {
                Name = Tasks, Label = "Tasks", Type = ParameterType.Integer, DefaultText = "20",
                Min = 1, Max = 1000, Step = 1,
                Description = "How many tasks the parent submits, numbered from 0 like range(20). With a process per task, each is a child of its own.",
            },
            new ParameterSpec
            {
                Name = PoolSize, Label = "Pool size", Type = ParameterType.Integer,
                DefaultText = CoreCount.ToString(CultureInfo.InvariantCulture),
                Min = 1, Max = MaxPoolSize, Step = 1,
                Description = "Workers in the pool: threads, processes or async tasks. The default is this machine's core count, as Pool() with no argument. A process per task ignores it: every task gets a new process at once.",
            },
            new ParameterSpec
            {
                Name = TaskKind, Label = "Task kind", Type = ParameterType.Choice, DefaultText = Cpu,
                Description = "What a task does with its time.",
                Options =
                [
                    new ParameterOption(Cpu, "CPU-bound", "A fixed amount of real computation, measured once at start-up to take the task's duration on one core."),
                    new ParameterOption(Io, "I/O-bound", "A sleep, as a task waiting for the network or a disk: it needs no CPU."),
                    new ParameterOption(Mixed, "Mixed", "Half of the time computing, then half asleep."),
                ],
            },
            new ParameterSpec
            {
                Name = TaskDuration, Label = "Task duration", Type = ParameterType.Number, DefaultText = "0.2",
                Min = 0, Max = 10, Step = 0.05, Unit = "s",
                Description = "How long one task takes when it has a core to itself (the tutorial's time.sleep(0.2)).",
            },
            new ParameterSpec
            {
                Name = Spread, Label = "Spread", Type = ParameterType.Number, DefaultText = "0.5",
                Min = 0, Max = 1, Step = 0.05, Hint = "0.5 = ±50%",
                Description = "Random part of each task's duration, from the seed: 0.5 means each takes between half and one and a half times the duration. The same task takes the same time in every executor.",
            },
            new ParameterSpec
            {
                Name = Submit, Label = "Submission", Type = ParameterType.Choice, DefaultText = ApplyAsync,
                Description = "How the parent hands the tasks over and gets the results back.",
                Options =
                [
                    new ParameterOption(Map, "map", "pool.map(func, range(n)): submits them all and returns the results in submission order once every task is done."),
                    new ParameterOption(ApplyAsync, "apply_async with a callback", "Submits them all at once; the parent runs a callback for each result as it comes back, in completion order."),
                    new ParameterOption(Apply, "apply, one at a time", "Submits one task and waits for its result before the next: the pool never works on two at once."),
                ],
            },
            new ParameterSpec
            {
                Name = Executor, Label = "Executor", Type = ParameterType.Choice, DefaultText = ProcessPool,
                Description = "Who runs the tasks. The parent's lane shows the submissions and the callbacks.",
                Options =
                [
                    new ParameterOption(ThreadPool, "Thread pool", "Worker threads of the server process (multiprocessing.pool.ThreadPool)."),
                    new ParameterOption(ProcessPool, "Process pool", "Long-lived worker processes fed through a shared queue in /dev/shm (multiprocessing.Pool)."),
                    new ParameterOption(ProcessPerTask, "A process per task", "A new child process for every task, started when the task is submitted (Process(target=func, args=(i,)))."),
                    new ParameterOption(Async, "Async tasks", "Worker tasks on the thread pool that await their I/O without holding a thread (asyncio-style)."),
                ],
            },
            new ParameterSpec
            {
                Name = Gil, Label = "GIL", Type = ParameterType.Choice, DefaultText = Off,
                Description = "An emulated global interpreter lock: CPU-bound work must hold it, and hands it over every 5 ms when another thread is waiting, as CPython does. Each process has its own.",
                Options =
                [
                    new ParameterOption(Off, "Off", ".NET threads: CPU-bound work runs on every core at once."),
                    new ParameterOption(On, "On (like CPython)", "Threads of one process compute one at a time; a sleep lets go of it."),
                ],
            },
            new ParameterSpec
            {
                Name = Failures, Label = "Failing tasks", Type = ParameterType.Integer, DefaultText = "0",
                Min = 0, Max = 1000, Step = 1, Advanced = true,
                Description = "How many tasks (picked by the seed) raise an exception at their end. The pool catches it and sends it to the parent as an error result, as apply_async does; the run goes on.",
            },
            CommonParameters.SeedSpec,
            CommonParameters.TimeScaleSpec,
        ],
    };
}
