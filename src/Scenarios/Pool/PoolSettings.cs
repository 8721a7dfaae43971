using Playground.Scenarios.Engine;
using Playground.Shared.Catalog;
using Playground.Shared.Parameters;
using S = Playground.Shared.Catalog.PoolSchema;

namespace Playground.Scenarios.Pool;

/// <summary>The pool's knobs, typed, and what follows from them. Built only from validated values.</summary>
public sealed class PoolSettings
{
    private readonly double[] _seconds;
    private readonly HashSet<int> _failing;

    private PoolSettings(ParameterValues v)
    {
        Tasks = v.GetInt32(S.Tasks);
        PoolSize = v.GetInt32(S.PoolSize);
        TaskKind = v.GetString(S.TaskKind);
        TaskDuration = v.GetDouble(S.TaskDuration);
        Spread = v.GetDouble(S.Spread);
        Submit = v.GetString(S.Submit);
        Executor = v.GetString(S.Executor);
        Gil = v.GetString(S.Gil) == S.On;
        Failures = Math.Min(v.GetInt32(S.Failures), Tasks);
        Seed = (int)v.GetInt64(CommonParameters.Seed);
        TimeScale = v.GetDouble(CommonParameters.TimeScale);
        HostMode = S.Descriptor.HostModeOf(v);

        // Every task's length and whether it fails come from the seed alone, never from who runs
        // it, so the same setup is the same work in every executor.
        var lengths = new Random(Delays.ActorSeed(Seed, -1));
        _seconds = [.. Enumerable.Range(0, Tasks).Select(_ => TaskDuration * (1 + (Spread * ((lengths.NextDouble() * 2) - 1))) * TimeScale)];
        var picks = Enumerable.Range(0, Tasks).ToArray();
        new Random(Delays.ActorSeed(Seed, -2)).Shuffle(picks);
        _failing = [.. picks.Take(Failures)];
    }

    public int Tasks { get; }
    public int PoolSize { get; }
    public string TaskKind { get; }
    public double TaskDuration { get; }
    public double Spread { get; }
    public string Submit { get; }
    public string Executor { get; }
    public bool Gil { get; }
    public int Failures { get; }
    public int Seed { get; }
    public double TimeScale { get; }

    /// <summary>threads, processes or async: where the executor's workers run.</summary>
    public string HostMode { get; }

    public static PoolSettings From(ParameterValues values) => new(values);

    /// <summary>A fresh child process for every task, started when it is submitted.</summary>
    public bool ProcessPerTask => Executor == S.ProcessPerTask;

    /// <summary>Lanes besides the parent's: the pool's workers, or one process per task.</summary>
    public int Workers => ProcessPerTask ? Tasks : PoolSize;

    /// <summary>The part of a task's time spent computing (the rest asleep).</summary>
    public double CpuShare => TaskKind switch
    {
        S.Cpu => 1,
        S.Io => 0,
        _ => 0.5,
    };

    /// <summary>Whether CPU-bound code of this executor takes turns behind the emulated GIL (threads and tasks of one process).</summary>
    public bool GilSerializes => Gil && HostMode != RunModes.Processes;

    /// <summary>Task <paramref name="task"/>'s length with a core to itself, time-scaled, in seconds.</summary>
    public double SecondsOf(int task) => _seconds[task];

    /// <summary>True for the tasks that raise at their end.</summary>
    public bool Fails(int task) => _failing.Contains(task);

    /// <summary>The tasks' total length with a core to itself: what one worker would need, back to back.</summary>
    public double SerialSeconds => _seconds.Sum();

    /// <summary>Tasks in flight at once: one for apply; every task for a process each; else the pool's size.</summary>
    public int InFlight => Submit == S.Apply ? 1 : Math.Min(Tasks, ProcessPerTask ? Tasks : PoolSize);

    /// <summary>
    /// A rough lower bound of the run: the computing shared out over the cores it can use (one
    /// behind a GIL), or the tasks shared out over the workers, whichever is longer.
    /// </summary>
    public double EstimatedSeconds
    {
        get
        {
            var cpu = SerialSeconds * CpuShare;
            var cores = GilSerializes ? 1 : Math.Min(InFlight, Environment.ProcessorCount);
            return Math.Max(cpu / Math.Max(1, cores), SerialSeconds / InFlight);
        }
    }

    /// <summary>
    /// The longest a worker stays silent while not blocked: one task's computing, stretched when
    /// more workers compute at once than there are cores (with a margin for a busy machine), one
    /// task's sleep, or — for processes — a child's start-up while the others start too.
    /// </summary>
    public double LongestStepSeconds
    {
        get
        {
            var longest = _seconds.DefaultIfEmpty(0).Max();
            var cores = (double)Environment.ProcessorCount;
            var crowd = GilSerializes ? 1 : Math.Max(1.0, InFlight / cores);
            var step = Math.Max(longest * CpuShare * crowd * 1.5, longest * (1 - CpuShare));
            if (HostMode == RunModes.Processes)
            {
                // A .NET child needs a fraction of a second of CPU to start; they start together.
                var starting = ProcessPerTask ? InFlight : PoolSize;
                step = Math.Max(step, starting * StartupCpuSeconds / cores * 1.5);
            }

            return step;
        }
    }

    /// <summary>A generous figure for the CPU one child process needs to start (the framework-dependent worker's is about 0.1 s).</summary>
    private const double StartupCpuSeconds = 0.25;

    /// <summary>Steps of computing task <paramref name="task"/> needs at <paramref name="iterationsPerSecond"/>.</summary>
    public long IterationsOf(int task, long iterationsPerSecond) => (long)Math.Round(SecondsOf(task) * CpuShare * iterationsPerSecond);

    /// <summary>Task <paramref name="task"/>'s sleep.</summary>
    public TimeSpan SleepOf(int task) => TimeSpan.FromSeconds(SecondsOf(task) * (1 - CpuShare));
}
