using Playground.Scenarios.Primitives;
using Playground.Scenarios.Processes;

namespace Playground.Scenarios.Pool;

/// <summary>
/// What the parent and the workers of one run share: the task queue (none when every task gets a
/// process of its own: its number travels in the child's arguments, as Process(args=(i,)) does),
/// the result queue, the calibrated speed of the CPU work, and the GIL of this process. Threads use
/// <see cref="MonitorQueue"/>s, tasks <see cref="AsyncQueue"/>s, processes <see cref="SharedRingQueue"/>s
/// the server creates and each child opens; each process has a GIL of its own, as each Python
/// interpreter does.
/// </summary>
public sealed class PoolWorld : IDisposable
{
    public const string TasksResource = "tasks";
    public const string ResultsResource = "results";

    /// <summary>The shared words' name, and the word that carries the calibrated speed to the children.</summary>
    private const string WordsName = "pool";
    private const int SpeedWord = 0;

    private readonly SharedWords? _words;

    private PoolWorld(long iterationsPerSecond, EmulatedGil? gil, SharedWords? words)
    {
        IterationsPerSecond = iterationsPerSecond;
        Gil = gil;
        _words = words;
    }

    /// <summary>Threads and processes: the queue the parent puts task numbers on (null for a process per task).</summary>
    public IItemQueue? Tasks { get; private init; }

    /// <summary>Threads and processes: the queue the workers put results on.</summary>
    public IItemQueue? Results { get; private init; }

    /// <summary>Async mode's task queue.</summary>
    public IAsyncItemQueue? AsyncTasks { get; private init; }

    /// <summary>Async mode's result queue.</summary>
    public IAsyncItemQueue? AsyncResults { get; private init; }

    /// <summary>Steps of the CPU work one core does in a second, as the server measured it.</summary>
    public long IterationsPerSecond { get; }

    /// <summary>This process's GIL when the knob is on, else null.</summary>
    public EmulatedGil? Gil { get; }

    public static PoolWorld Threads(PoolSettings s) => new(CpuWork.IterationsPerSecond, s.Gil ? new EmulatedGil() : null, null)
    {
        Tasks = new MonitorQueue(QueueKind.Fifo, 0, TasksResource),
        Results = new MonitorQueue(QueueKind.Fifo, 0, ResultsResource),
    };

    public static PoolWorld Async(PoolSettings s) => new(CpuWork.IterationsPerSecond, s.Gil ? new EmulatedGil() : null, null)
    {
        AsyncTasks = new AsyncQueue(TasksResource),
        AsyncResults = new AsyncQueue(ResultsResource),
    };

    /// <summary>
    /// In the server: the run's shared queues and the word that gives every child the speed
    /// measured here, so no child measures it again. The server's parent never computes, so it
    /// needs no GIL.
    /// </summary>
    public static PoolWorld CreateShared(string key, PoolSettings s)
    {
        var speed = CpuWork.IterationsPerSecond;
        SharedWords? words = null;
        SharedRingQueue? tasks = null, results = null;
        try
        {
            words = SharedWords.Create(key, WordsName);
            Volatile.Write(ref words[SpeedWord], speed);
            // Unbounded, as multiprocessing's are: room for every task and one stop marker per worker.
            tasks = s.ProcessPerTask ? null : SharedRingQueue.Create(TaskNames(key), QueueKind.Fifo, 0, s.Tasks + s.PoolSize, 1, TasksResource);
            results = SharedRingQueue.Create(ResultNames(key), QueueKind.Fifo, 0, s.Tasks, 1, ResultsResource);
            return new PoolWorld(speed, null, words) { Tasks = tasks, Results = results };
        }
        catch
        {
            tasks?.Dispose();
            results?.Dispose();
            words?.Dispose();
            Unlink(key);
            throw;
        }
    }

    /// <summary>In a child: what <see cref="CreateShared"/> made, and a GIL of this process's own.</summary>
    public static PoolWorld OpenShared(string key, PoolSettings s)
    {
        SharedWords? words = null;
        SharedRingQueue? tasks = null;
        try
        {
            words = SharedWords.Open(key, WordsName);
            var speed = Volatile.Read(ref words[SpeedWord]);
            tasks = s.ProcessPerTask ? null : SharedRingQueue.Open(TaskNames(key), TasksResource);
            var results = SharedRingQueue.Open(ResultNames(key), ResultsResource);
            return new PoolWorld(speed, s.Gil ? new EmulatedGil() : null, words) { Tasks = tasks, Results = results };
        }
        catch
        {
            tasks?.Dispose();
            words?.Dispose();
            throw;
        }
    }

    /// <summary>Removes every name of the run; safe when some were never made.</summary>
    public static void Unlink(string key)
    {
        TaskNames(key).Unlink();
        ResultNames(key).Unlink();
        SharedWords.Unlink(key, WordsName);
    }

    private static SharedQueueNames TaskNames(string key) => new(key + "-" + TasksResource);

    private static SharedQueueNames ResultNames(string key) => new(key + "-" + ResultsResource);

    public void Dispose()
    {
        (Tasks as IDisposable)?.Dispose();
        (Results as IDisposable)?.Dispose();
        _words?.Dispose();
    }
}
