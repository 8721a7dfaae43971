using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Playground.Scenarios.Processes;
using Playground.Scenarios.Recording;
using Playground.Shared.Catalog;
using Playground.Shared.Events;
using Playground.Shared.Parameters;
using Playground.Shared.Runs;
using Playground.Shared.Text;

namespace Playground.Scenarios.Engine;

/// <summary>
/// Runs an <see cref="ActorScript{TWorld}"/> in its mode. Threads: a dedicated thread per actor.
/// Async: a task per actor on the thread pool. Processes: a child of the worker program per actor,
/// in one process group, on named primitives the host creates and unlinks in <c>finally</c>. In
/// every mode daemons are stopped once the other actors have ended, an actor that fails stops its
/// peers, and cancellation ends the run within moments.
/// </summary>
public static class ActorHost
{
    public static ScenarioOutcome Execute<TWorld>(ActorScript<TWorld> script, EventRecorder recorder, IActorObserver observer, CancellationToken cancellationToken)
        where TWorld : class =>
        script.Mode switch
        {
            RunModes.Processes => RunProcesses(script, recorder, observer, cancellationToken),
            RunModes.Async => RunTasks(script, recorder, observer, cancellationToken),
            _ => RunThreads(script, recorder, observer, cancellationToken),
        };

    private static ScenarioOutcome RunThreads<TWorld>(ActorScript<TWorld> script, EventRecorder recorder, IActorObserver observer, CancellationToken cancellationToken)
        where TWorld : class
    {
        var world = script.CreateLocal(async: false);
        try
        {
            var actors = script.Actors;
            // An actor that fails stops the others: they might otherwise wait for it until the deadline.
            using var failed = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            using var daemons = CancellationTokenSource.CreateLinkedTokenSource(failed.Token);
            var run = failed.Token;
            var threads = new ActorThreads(recorder, observer, failed.Cancel);
            recorder.MarkStart();
            var started = Stopwatch.GetTimestamp();
            try
            {
                for (var a = 0; a < actors.Count; a++)
                {
                    var actor = a;
                    var daemon = actors[a].Daemon;
                    threads.Start(actor, actors[actor].Name, log =>
                    {
                        var observed = new ObservedRecorder<TWorld>(log, script);
                        if (!daemon)
                        {
                            script.Act(actor, world, observed, run);
                            return;
                        }

                        try
                        {
                            script.Act(actor, world, observed, daemons.Token);
                        }
                        catch (OperationCanceledException) when (!run.IsCancellationRequested)
                        {
                            log.Record(EventKind.End, DaemonStopped);
                        }
                    });
                }
            }
            catch
            {
                // An actor could not be started (no thread to be had): those already running might
                // wait for it for good, on tokens about to be disposed. Stop them before failing.
                failed.Cancel();
                threads.JoinAll();
                throw;
            }

            for (var a = 0; a < actors.Count; a++)
            {
                if (!actors[a].Daemon)
                {
                    threads.Join(a);
                }
            }

            daemons.Cancel();
            threads.JoinAll();
            var wall = Stopwatch.GetElapsedTime(started).TotalSeconds;
            if (threads.Errors.Count > 0)
            {
                throw new AggregateException("An actor failed", threads.Errors);
            }

            return script.Report(world, new HostResult(RunModes.Threads, !cancellationToken.IsCancellationRequested, wall, null, [], [], recorder.StartTimestamp));
        }
        finally
        {
            (world as IDisposable)?.Dispose();
        }
    }

    private static ScenarioOutcome RunTasks<TWorld>(ActorScript<TWorld> script, EventRecorder recorder, IActorObserver observer, CancellationToken cancellationToken)
        where TWorld : class
    {
        var world = script.CreateLocal(async: true);
        try
        {
            var actors = script.Actors;
            using var failed = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            using var daemons = CancellationTokenSource.CreateLinkedTokenSource(failed.Token);
            var run = failed.Token;
            var errors = new ConcurrentQueue<Exception>();
            var pool = new TaskStats(actors.Count);
            var tasks = new Task[actors.Count];
            recorder.MarkStart();
            var started = Stopwatch.GetTimestamp();
            try
            {
                for (var a = 0; a < actors.Count; a++)
                {
                    var actor = a;
                    var daemon = actors[a].Daemon;
                    var log = recorder[actor];
                    tasks[a] = Task.Run(async () =>
                    {
                        // A task has no thread of its own: the lane shows the thread that started it.
                        observer.ActorStarted(actor, System.Environment.ProcessId, ActorThreads.CurrentThreadId());
                        var observed = new TaskRecorder<TWorld>(log, script, pool);
                        try
                        {
                            await script.ActAsync(actor, world, observed, daemon ? daemons.Token : run).ConfigureAwait(false);
                        }
                        catch (OperationCanceledException)
                        {
                            observed.Leave();
                            log.Record(EventKind.End, daemon && !run.IsCancellationRequested ? DaemonStopped : "cancelled");
                        }
                        catch (Exception ex)
                        {
                            observed.Leave();
                            log.Record(EventKind.Crash, ex.GetType().Name);
                            errors.Enqueue(ex);
                            failed.Cancel();
                        }
                    }, CancellationToken.None);
                }
            }
            catch
            {
                // The tasks already running might wait for the missing ones for good: stop them first.
                failed.Cancel();
                Task.WaitAll([.. tasks.Where(t => t is not null)], CancellationToken.None);
                throw;
            }

            // The run's own thread waits here, as the main program's join() would.
            Task.WaitAll([.. tasks.Where((_, i) => !actors[i].Daemon)], CancellationToken.None);
            daemons.Cancel();
            Task.WaitAll(tasks, CancellationToken.None);
            var wall = Stopwatch.GetElapsedTime(started).TotalSeconds;
            if (!errors.IsEmpty)
            {
                throw new AggregateException("An actor failed", errors);
            }

            var note = Msg.Of("note.asyncThreads", ("tasks", actors.Count), ("threads", pool.Threads), ("waiting", pool.PeakBlocked));
            var metrics = new RunMetric[]
            {
                new("asyncThreads", Msg.Of("metric.asyncThreads"), pool.Threads),
                new("asyncPeakWaiting", Msg.Of("metric.asyncPeakWaiting"), pool.PeakBlocked),
            };
            return script.Report(world, new HostResult(RunModes.Async, !cancellationToken.IsCancellationRequested, wall, null, metrics, [note], recorder.StartTimestamp));
        }
        finally
        {
            (world as IDisposable)?.Dispose();
        }
    }

    private static ScenarioOutcome RunProcesses<TWorld>(ActorScript<TWorld> script, EventRecorder recorder, IActorObserver observer, CancellationToken cancellationToken)
        where TWorld : class
    {
        var environment = script.Environment;
        var worker = environment.Worker ?? throw new InvalidOperationException("processes mode needs the worker program, which was not found");
        var key = environment.SharedKey;
        var actors = script.Actors;
        var query = ShareLink.EncodeQuery(script.Descriptor, script.Values);
        TWorld? world = null;
        try
        {
            world = script.CreateShared(key);
            using var group = new ChildProcessGroup(worker, recorder, observer, environment.StopGrace);
            recorder.MarkStart();
            var started = Stopwatch.GetTimestamp();
            for (var a = 0; a < actors.Count; a++)
            {
                group.Spawn(a, actors[a].Name,
                    ["--scenario", script.Descriptor.Id, "--run", key, "--actor", a.ToString(CultureInfo.InvariantCulture), "--params", query],
                    e => script.Observe(e));
            }

            var daemons = Enumerable.Range(0, actors.Count).Where(a => actors[a].Daemon).ToList();
            var finished = true;
            if (daemons.Count > 0)
            {
                // The main program's join() on the others; then the daemons die with it.
                finished = group.WaitFor(Enumerable.Range(0, actors.Count).Except(daemons), cancellationToken);
                if (finished)
                {
                    group.Stop(daemons);
                }
            }

            finished = finished && group.WaitAll(cancellationToken);
            if (!finished)
            {
                group.KillAll();
            }

            var wall = Stopwatch.GetElapsedTime(started).TotalSeconds;
            var crash = group.FirstCrash;
            var startup = StartupMetrics(group.Exits);
            var failure = crash is null ? null : Msg.Of("child.peersStopped", ("crash", crash.Describe()));
            var complete = finished && crash is null && !cancellationToken.IsCancellationRequested;
            return script.Report(world, new HostResult(RunModes.Processes, complete, wall, failure, [.. startup], [], recorder.StartTimestamp));
        }
        finally
        {
            (world as IDisposable)?.Dispose();
            script.UnlinkShared(key);
        }
    }

    private const string DaemonStopped = "daemon stopped";

    /// <summary>Each child's start-up (spawn to first event); past a handful, the fastest, the median and the slowest.</summary>
    private static List<RunMetric> StartupMetrics(IReadOnlyList<ChildExit> exits)
    {
        var started = exits.Where(e => !double.IsNaN(e.StartupMs)).OrderBy(e => e.Actor).ToList();
        if (started.Count <= 6)
        {
            return [.. started.Select(e =>
                new RunMetric("startup:" + e.Name, Msg.Of("metric.startup", ("name", e.Name), ("pid", e.Pid)), Math.Round(e.StartupMs, 2), Msg.Of("unit.ms")))];
        }

        var byTime = started.OrderBy(e => e.StartupMs).ToList();
        RunMetric Pick(string which, ChildExit e) =>
            new("startup:" + which, Msg.Of("metric.startup." + which, ("name", e.Name), ("pid", e.Pid), ("count", byTime.Count)), Math.Round(e.StartupMs, 2), Msg.Of("unit.ms"));
        return [Pick("fastest", byTime[0]), Pick("median", byTime[byTime.Count / 2]), Pick("slowest", byTime[^1])];
    }

    /// <summary>Forwards to the actor's log and lets the script see each event.</summary>
    private sealed class ObservedRecorder<TWorld>(ActorLog log, ActorScript<TWorld> script) : IActorRecorder
        where TWorld : class
    {
        public int Actor => log.Actor;

        public void Record(EventKind kind, string? resource = null, long value = 0, long level = -1)
        {
            var now = Stopwatch.GetTimestamp();
            log.RecordAt(now, kind, resource, value, level);
            script.Observe(new RawEvent(now, log.Actor, kind, resource, value, level));
        }
    }

    /// <summary>Which pool threads ran the tasks, and how many tasks were blocked at once.</summary>
    private sealed class TaskStats(int tasks)
    {
        private readonly ConcurrentDictionary<int, byte> _threads = new();
        private int _blocked;
        private int _peak;

        public int Tasks { get; } = tasks;

        public int Threads => _threads.Count;

        public int PeakBlocked => Volatile.Read(ref _peak);

        public void Seen(int threadId) => _threads.TryAdd(threadId, 0);

        public void Blocked(int delta) => AtomicMax.Raise(ref _peak, Interlocked.Add(ref _blocked, delta));
    }

    /// <summary>An observed recorder that also notes the thread each event ran on and the task's lane state.</summary>
    private sealed class TaskRecorder<TWorld>(ActorLog log, ActorScript<TWorld> script, TaskStats stats) : IActorRecorder
        where TWorld : class
    {
        private LaneState _state = LaneState.Idle;

        public int Actor => log.Actor;

        public void Record(EventKind kind, string? resource = null, long value = 0, long level = -1)
        {
            var now = Stopwatch.GetTimestamp();
            log.RecordAt(now, kind, resource, value, level);
            script.Observe(new RawEvent(now, log.Actor, kind, resource, value, level));
            stats.Seen(System.Environment.CurrentManagedThreadId);
            Move(LaneStates.Next(_state, kind));
        }

        /// <summary>The task ended without its own end event (cancelled, failed): it waits no more.</summary>
        public void Leave() => Move(LaneState.Done);

        private void Move(LaneState next)
        {
            if (next == _state)
            {
                return;
            }

            if (next == LaneState.Blocked)
            {
                stats.Blocked(1);
            }
            else if (_state == LaneState.Blocked)
            {
                stats.Blocked(-1);
            }

            _state = next;
        }
    }
}
