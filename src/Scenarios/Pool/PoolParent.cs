using Playground.Scenarios.Engine;
using Playground.Scenarios.Recording;
using Playground.Shared.Events;
using S = Playground.Shared.Catalog.PoolSchema;

namespace Playground.Scenarios.Pool;

/// <summary>
/// The main program: it submits every task, keeps the table of those not yet answered (Python's
/// pool._cache, charted as the "pending" gauge), and takes the results off the result queue as
/// they come — completion order — running the callback for each (apply_async), filling its place
/// in the list (map), or returning it (apply, one task at a time). A pool gets one stop marker per
/// worker once every task is submitted (close()); tasks with a process each are started here, one
/// child per task, and joined at the end.
/// </summary>
/// <remarks>
/// Events: <c>put pending</c> per submission (level: tasks pending); <c>put tasks</c> on the task
/// queue, or <c>work spawn</c> while a task's process is started; <c>get results</c>; then
/// <c>mark pending:callback|map|apply</c> for a result, or <c>error pending:error</c> for an error
/// result, each with the tasks still pending as its level; <c>wait join</c> (one child) or
/// <c>wait join:all</c> while it joins children.
/// </remarks>
public static class PoolParent
{
    public const string SpawnResource = S.SpawnResource;
    public const string JoinResource = "join";
    public const string JoinAllResource = "join:all";
    public const string ErrorResource = S.PendingResource + ":error";
    public const string StrayResource = S.PendingResource + ":stray";

    /// <summary>The resource of the mark a result makes, by submission style.</summary>
    public static string ResultResource(string submit) => S.PendingResource + ":" + submit switch
    {
        S.Map => "map",
        S.Apply => "apply",
        _ => "callback",
    };

    /// <summary>In a thread, or in the server for a processes run (where <paramref name="children"/> starts the processes per task).</summary>
    public static void Run(IActorRecorder log, PoolWorld world, PoolSettings s, IChildLauncher? children, CancellationToken cancellationToken)
    {
        log.Record(EventKind.Start);
        var pending = new PendingTable(log, s);
        void Submit(int task)
        {
            pending.Add(task);
            if (s.ProcessPerTask)
            {
                log.Record(EventKind.Work, SpawnResource, task);
                (children ?? throw new InvalidOperationException("a process per task needs processes mode")).Start(ChildOf(task));
            }
            else
            {
                world.Tasks!.Put(log, task, 0, cancellationToken);
            }
        }

        PoolResult Receive() => PoolResult.Unpack(world.Results!.Get(log, cancellationToken));

        if (s.Submit == S.Apply)
        {
            for (var task = 0; task < s.Tasks; task++)
            {
                Submit(task);
                pending.Answer(Receive());
                if (s.ProcessPerTask)
                {
                    log.Record(EventKind.Wait, JoinResource, task);
                    children!.Join(ChildOf(task), cancellationToken);
                }
            }

            Close(log, world, s, cancellationToken);
        }
        else
        {
            for (var task = 0; task < s.Tasks; task++)
            {
                Submit(task);
            }

            Close(log, world, s, cancellationToken);
            while (pending.Count > 0)
            {
                pending.Answer(Receive());
            }

            if (s.ProcessPerTask)
            {
                // for p in processes: p.join()
                log.Record(EventKind.Wait, JoinAllResource, s.Tasks);
                for (var task = 0; task < s.Tasks; task++)
                {
                    children!.Join(ChildOf(task), cancellationToken);
                }
            }
        }

        cancellationToken.ThrowIfCancellationRequested();
        log.Record(EventKind.End);
    }

    /// <summary>The same in async mode: the queues are awaited, the worker tasks run on the thread pool.</summary>
    public static async Task RunAsync(IActorRecorder log, PoolWorld world, PoolSettings s, CancellationToken cancellationToken)
    {
        log.Record(EventKind.Start);
        var pending = new PendingTable(log, s);
        var tasks = world.AsyncTasks!;
        var results = world.AsyncResults!;
        if (s.Submit == S.Apply)
        {
            for (var task = 0; task < s.Tasks; task++)
            {
                pending.Add(task);
                tasks.Put(log, task);
                pending.Answer(PoolResult.Unpack(await results.GetAsync(log, cancellationToken)));
            }
        }
        else
        {
            for (var task = 0; task < s.Tasks; task++)
            {
                pending.Add(task);
                tasks.Put(log, task);
            }
        }

        for (var w = 0; w < s.PoolSize; w++)
        {
            tasks.Put(log, PoolResult.StopMarker);
        }

        while (pending.Count > 0)
        {
            pending.Answer(PoolResult.Unpack(await results.GetAsync(log, cancellationToken)));
        }

        log.Record(EventKind.End);
    }

    /// <summary>The actor whose process runs task <paramref name="task"/> (the parent is actor 0).</summary>
    public static int ChildOf(int task) => task + 1;

    /// <summary>close(): one stop marker per worker, after the last task.</summary>
    private static void Close(IActorRecorder log, PoolWorld world, PoolSettings s, CancellationToken cancellationToken)
    {
        if (s.ProcessPerTask)
        {
            return;
        }

        for (var w = 0; w < s.PoolSize; w++)
        {
            world.Tasks!.Put(log, PoolResult.StopMarker, 0, cancellationToken);
        }
    }

    /// <summary>The parent's table of tasks submitted and not yet answered.</summary>
    private sealed class PendingTable(IActorRecorder log, PoolSettings s)
    {
        private readonly HashSet<int> _pending = [];
        private readonly string _resultResource = ResultResource(s.Submit);

        public int Count => _pending.Count;

        public void Add(int task)
        {
            _pending.Add(task);
            log.Record(EventKind.Put, S.PendingResource, task, _pending.Count);
        }

        /// <summary>A result came back: it answers its task (callback, map's slot, apply's return), or is a stray the table never asked for.</summary>
        public void Answer(PoolResult result)
        {
            if (!_pending.Remove(result.Task))
            {
                log.Record(EventKind.Error, StrayResource, result.Task);
                return;
            }

            log.Record(result.Failed ? EventKind.Error : EventKind.Mark, result.Failed ? ErrorResource : _resultResource, result.Task, _pending.Count);
        }
    }
}
