using Playground.Scenarios.Engine;
using Playground.Scenarios.Recording;
using Playground.Shared.Events;
using S = Playground.Shared.Catalog.PoolSchema;

namespace Playground.Scenarios.Pool;

/// <summary>
/// What a worker does, the same on a thread, in a child process and (awaiting) as a task: take a
/// task number, run the task, put its result on the result queue. A pool worker loops until it
/// takes a stop marker; a process started for one task runs that task and ends. A task that
/// raises becomes an error result, as multiprocessing's worker turns the exception into the result.
/// </summary>
/// <remarks>
/// Each worker's <c>end</c> event carries the CPU time it used, in microseconds (resource
/// <see cref="CpuResource"/>): a thread's own CPU clock; a child's whole process, its start-up
/// included; a task's computing, stretch by stretch on whichever thread ran it.
/// </remarks>
public static class PoolWorkers
{
    public const string CpuResource = "cpu";

    /// <summary>A pool worker on a thread (<paramref name="process"/> false) or alone in a child process.</summary>
    public static void Serve(IActorRecorder log, PoolWorld world, PoolSettings s, bool process, CancellationToken cancellationToken)
    {
        var cpuAtStart = process ? 0 : CpuClock.ThreadNanoseconds();
        log.Record(EventKind.Start);
        while (true)
        {
            var task = world.Tasks!.Get(log, cancellationToken);
            if (task == PoolResult.StopMarker)
            {
                break;
            }

            var result = Run(log, world, s, (int)task, cancellationToken);
            world.Results!.Put(log, result.Pack(), 0, cancellationToken);
        }

        End(log, process ? CpuClock.ProcessNanoseconds() : CpuClock.ThreadNanoseconds() - cpuAtStart);
    }

    /// <summary>A process started for task <paramref name="task"/> alone (its number came in its arguments).</summary>
    public static void RunOne(IActorRecorder log, PoolWorld world, PoolSettings s, int task, CancellationToken cancellationToken)
    {
        log.Record(EventKind.Start);
        var result = Run(log, world, s, task, cancellationToken);
        world.Results!.Put(log, result.Pack(), 0, cancellationToken);
        End(log, CpuClock.ProcessNanoseconds());
    }

    /// <summary>A pool worker as a task: awaits the queue, the GIL and the sleeps without holding a thread.</summary>
    public static async Task ServeAsync(IActorRecorder log, PoolWorld world, PoolSettings s, CancellationToken cancellationToken)
    {
        log.Record(EventKind.Start);
        var cpu = new CpuTally();
        while (true)
        {
            var task = await world.AsyncTasks!.GetAsync(log, cancellationToken);
            if (task == PoolResult.StopMarker)
            {
                break;
            }

            PoolResult result;
            try
            {
                result = new PoolResult((int)task, false, await BodyAsync(log, world, s, (int)task, cpu, cancellationToken));
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                result = Failed(log, (int)task);
            }

            world.AsyncResults!.Put(log, result.Pack());
        }

        End(log, cpu.Nanoseconds);
    }

    /// <summary>Runs one task; what it raises becomes an error result and the worker carries on.</summary>
    private static PoolResult Run(IActorRecorder log, PoolWorld world, PoolSettings s, int task, CancellationToken cancellationToken)
    {
        try
        {
            return new PoolResult(task, false, Body(log, world, s, task, cancellationToken));
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return Failed(log, task);
        }
    }

    private static PoolResult Failed(IActorRecorder log, int task)
    {
        log.Record(EventKind.Error, S.TaskResource, task);
        return new PoolResult(task, true, 0);
    }

    /// <summary>The task itself: compute (holding the GIL, if any), then sleep, as its kind says; a failing one raises at its end.</summary>
    private static uint Body(IActorRecorder log, PoolWorld world, PoolSettings s, int task, CancellationToken cancellationToken)
    {
        var value = PoolResult.SquareOf(task);
        if (s.CpuShare > 0)
        {
            value = CpuWork.Fold(Compute(log, world, task, s.IterationsOf(task, world.IterationsPerSecond), cancellationToken));
        }

        if (s.CpuShare < 1)
        {
            log.Record(EventKind.Sleep, S.TaskResource, task);
            Delays.Sleep(s.SleepOf(task), cancellationToken);
        }

        return s.Fails(task) ? throw new InvalidOperationException($"task {task} raised") : value;
    }

    private static async Task<uint> BodyAsync(IActorRecorder log, PoolWorld world, PoolSettings s, int task, CpuTally cpu, CancellationToken cancellationToken)
    {
        var value = PoolResult.SquareOf(task);
        if (s.CpuShare > 0)
        {
            value = CpuWork.Fold(await ComputeAsync(log, world, task, s.IterationsOf(task, world.IterationsPerSecond), cpu, cancellationToken));
        }

        if (s.CpuShare < 1)
        {
            log.Record(EventKind.Sleep, S.TaskResource, task);
            await Delays.SleepAsync(s.SleepOf(task), cancellationToken);
        }

        return s.Fails(task) ? throw new InvalidOperationException($"task {task} raised") : value;
    }

    /// <summary>
    /// The task's steps of CPU work, a slice at a time. Behind a GIL, the worker takes it first and,
    /// when another has waited a switch interval, hands it over and queues for it again.
    /// </summary>
    private static ulong Compute(IActorRecorder log, PoolWorld world, int task, long iterations, CancellationToken cancellationToken)
    {
        var gil = world.Gil;
        gil?.Acquire(log, task, cancellationToken);
        var held = gil is not null;
        try
        {
            log.Record(EventKind.Work, S.TaskResource, task);
            var state = CpuWork.StartOf(task);
            var slice = SliceOf(world);
            for (var left = iterations; left > 0;)
            {
                var n = Math.Min(left, slice);
                state = CpuWork.Spin(state, n);
                left -= n;
                cancellationToken.ThrowIfCancellationRequested();
                if (left > 0 && gil is { HandOverDue: true })
                {
                    held = false;
                    gil.Release(log, task);
                    gil.Acquire(log, task, cancellationToken);
                    held = true;
                    log.Record(EventKind.Work, S.TaskResource, task);
                }
            }

            return state;
        }
        finally
        {
            if (held)
            {
                gil!.Release(log, task);
            }
        }
    }

    private static async Task<ulong> ComputeAsync(IActorRecorder log, PoolWorld world, int task, long iterations, CpuTally cpu, CancellationToken cancellationToken)
    {
        var gil = world.Gil;
        if (gil is not null)
        {
            await gil.AcquireAsync(log, task, cancellationToken);
        }

        var held = gil is not null;
        try
        {
            log.Record(EventKind.Work, S.TaskResource, task);
            var state = CpuWork.StartOf(task);
            var slice = SliceOf(world);
            // A stretch between two awaits runs on one thread: its CPU clock measures it.
            var stretch = CpuClock.ThreadNanoseconds();
            for (var left = iterations; left > 0;)
            {
                var n = Math.Min(left, slice);
                state = CpuWork.Spin(state, n);
                left -= n;
                cancellationToken.ThrowIfCancellationRequested();
                if (left > 0 && gil is { HandOverDue: true })
                {
                    cpu.Add(CpuClock.ThreadNanoseconds() - stretch);
                    held = false;
                    gil.Release(log, task);
                    await gil.AcquireAsync(log, task, cancellationToken);
                    held = true;
                    log.Record(EventKind.Work, S.TaskResource, task);
                    stretch = CpuClock.ThreadNanoseconds();
                }
            }

            cpu.Add(CpuClock.ThreadNanoseconds() - stretch);
            return state;
        }
        finally
        {
            if (held)
            {
                gil!.Release(log, task);
            }
        }
    }

    private static long SliceOf(PoolWorld world) => Math.Max(1, (long)(world.IterationsPerSecond * CpuWork.SliceSeconds));

    private static void End(IActorRecorder log, long cpuNanoseconds)
    {
        if (CpuClock.Available)
        {
            log.Record(EventKind.End, CpuResource, Math.Max(0, cpuNanoseconds / 1000));
        }
        else
        {
            log.Record(EventKind.End);
        }
    }

    /// <summary>CPU time of an async worker, summed over the stretches it computed.</summary>
    private sealed class CpuTally
    {
        public long Nanoseconds { get; private set; }

        public void Add(long nanoseconds) => Nanoseconds += Math.Max(0, nanoseconds);
    }
}
