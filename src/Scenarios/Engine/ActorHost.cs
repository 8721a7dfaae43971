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
        var inServer = Enumerable.Range(0, actors.Count).Where(a => actors[a].InServer).ToList();
        if (inServer.Count > 1)
        {
            throw new InvalidOperationException("at most one actor of a run runs in the server");
        }

        TWorld? world = null;
        try
        {
            world = script.CreateShared(key);
            // A child that crashes stops the others, and the server-side actor with them: it may
            // be blocked on a primitive the dead child was to release.
            using var failed = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            using var group = new ChildProcessGroup(worker, recorder, observer, environment.StopGrace, key) { OnCrash = failed.Cancel };
            void Spawn(int a) => group.Spawn(a, actors[a].Name,
                ["--scenario", script.Descriptor.Id, "--run", key, "--actor", a.ToString(CultureInfo.InvariantCulture), "--params", query],
                e => script.Observe(e), script.ShowsChildStartup);

            script.Children = new Launcher(group, actors, Spawn);
            recorder.MarkStart();
            var started = Stopwatch.GetTimestamp();
            for (var a = 0; a < actors.Count; a++)
            {
                if (!actors[a].InServer && !actors[a].OnRequest)
                {
                    Spawn(a);
                }
            }

            Exception? serverFailure = null;
            if (inServer.Count == 1)
            {
                serverFailure = RunInServer(script, inServer[0], world, recorder, observer, failed);
            }

            var daemons = Enumerable.Range(0, actors.Count).Where(a => actors[a].Daemon).ToList();
            var finished = serverFailure is null;
            if (finished && daemons.Count > 0)
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
            if (serverFailure is not null && crash is null && !cancellationToken.IsCancellationRequested)
            {
                throw new AggregateException("An actor failed", serverFailure);
            }

            var exits = group.Exits;
            var startup = StartupMetrics(exits);
            var failure = crash is null ? null : Msg.Of("child.peersStopped", ("crash", crash.Describe()));
            var complete = finished && crash is null && !cancellationToken.IsCancellationRequested;
            return script.Report(world, new HostResult(RunModes.Processes, complete, wall, failure, [.. startup], [], recorder.StartTimestamp) { Children = exits });
        }
        finally
        {
            script.Children = null;
            (world as IDisposable)?.Dispose();
            script.UnlinkShared(key);
        }
    }

    /// <summary>
    /// Runs the server-side actor of a processes run on the calling thread — the run's own, which
    /// outlives every child it starts. Returns what it threw, if anything but a cancellation.
    /// </summary>
    private static Exception? RunInServer<TWorld>(ActorScript<TWorld> script, int actor, TWorld world, EventRecorder recorder, IActorObserver observer,
        CancellationTokenSource failed)
        where TWorld : class
    {
        var log = recorder[actor];
        observer.ActorStarted(actor, System.Environment.ProcessId, ActorThreads.CurrentThreadId());
        try
        {
            script.Act(actor, world, new ObservedRecorder<TWorld>(log, script), failed.Token);
            return null;
        }
        catch (OperationCanceledException)
        {
            log.Record(EventKind.End, "cancelled");
            return null;
        }
        catch (Exception ex)
        {
            log.Record(EventKind.Crash, ex.GetType().Name);
            failed.Cancel();
            return ex;
        }
    }

    /// <summary>Starts on-request children for the server-side actor, from the run's own thread only.</summary>
    private sealed class Launcher(ChildProcessGroup group, IReadOnlyList<ActorSpec> actors, Action<int> spawn) : IChildLauncher
    {
        private readonly int _runThread = System.Environment.CurrentManagedThreadId;

        public int Start(int actor)
        {
            if (System.Environment.CurrentManagedThreadId != _runThread)
            {
                throw new InvalidOperationException("children are started from the run's own thread: PR_SET_PDEATHSIG follows the thread that forks");
            }

            if ((uint)actor >= (uint)actors.Count || !actors[actor].OnRequest)
            {
                throw new ArgumentOutOfRangeException(nameof(actor), actor, "not an actor started on request");
            }

            spawn(actor);
            return group.PidOf(actor);
        }

        public bool Join(int actor, CancellationToken cancellationToken) => group.WaitFor([actor], cancellationToken);
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
