using System.Diagnostics;
using System.Globalization;
using Playground.Scenarios.Engine;
using Playground.Scenarios.Recording;
using Playground.Shared.Events;
using Playground.Shared.Text;

namespace Playground.Scenarios.Processes;

/// <summary>How a child ended.</summary>
public sealed record ChildExit(int Actor, string Name, int Pid, int ExitCode, bool Expected, double StartupMs)
{
    /// <summary>.NET reports a child killed by signal N as exit code 128+N.</summary>
    public int? Signal => ExitCode > 128 && ExitCode < 128 + 65 ? ExitCode - 128 : null;

    /// <summary>The code a child gets when its event ring held what it could not have written.</summary>
    public const int GarbledOutput = 65;

    /// <summary>The code the worker returns when an actor throws.</summary>
    public const int ActorFailed = 70;

    public bool Crashed => ExitCode != 0 && !Expected;

    public Msg Describe() => ExitCode switch
    {
        GarbledOutput => Msg.Of("child.garbled", ("name", Name), ("pid", Pid)),
        ActorFailed => Msg.Of("child.failed", ("name", Name), ("pid", Pid), ("code", ExitCode)),
        134 => Msg.Of("child.aborted", ("name", Name), ("pid", Pid)),
        _ when Signal is { } sig => Msg.Of("child.killed", ("name", Name), ("pid", Pid), ("signal", sig), ("signalName", SignalName(sig))),
        _ => Msg.Of("child.exited", ("name", Name), ("pid", Pid), ("code", ExitCode)),
    };

    private static string SignalName(int sig) => sig switch
    {
        1 => "SIGHUP",
        2 => "SIGINT",
        6 => "SIGABRT",
        9 => "SIGKILL",
        11 => "SIGSEGV",
        15 => "SIGTERM",
        _ => "signal " + sig.ToString(CultureInfo.InvariantCulture),
    };
}

/// <summary>
/// The children of one run: each is started with its pipes, joins the run's process group, dies
/// with the server (PR_SET_PDEATHSIG), and records its events into an <see cref="EventRing"/> of
/// its own in shared memory, which one thread of the group drains into the lanes every few
/// milliseconds. Each child's stdout pipe carries nothing but its life: a thread waits for it
/// to close, drains what the child wrote last and reaps it. A child that ends with a non-zero
/// code (or a signal) becomes a <c>crash</c> event and
/// ends the run: the whole group is stopped, so no peer waits forever. Stopping is graceful first
/// (SIGTERM, a short grace), then forceful (SIGKILL). Each child's standard streams are closed as
/// soon as it is reaped, so a finished run holds no descriptor. Disposing stops and reaps every child.
/// </summary>
public sealed class ChildProcessGroup : IDisposable
{
    private readonly WorkerCommand _worker;
    private readonly EventRecorder _recorder;
    private readonly IActorObserver _observer;
    private readonly List<Child> _children = [];
    private readonly object _gate = new();
    private readonly ManualResetEventSlim _changed = new(false);
    private readonly TimeSpan _stopGrace;
    private readonly string _sharedKey;
    private Process? _holder;
    private int _groupId;
    private int _spawned;
    private bool _disposed;
    // The children whose rings the drain thread reads: replaced whole, never changed in place.
    private Child[] _draining = [];
    private Thread? _drainThread;
    private volatile bool _stopDraining;

    /// <param name="sharedKey">
    /// What the names of the children's event rings in /dev/shm carry (the run's shared key, which
    /// starts with the server's owner tag); a key of the group's own when not given.
    /// </param>
    public ChildProcessGroup(WorkerCommand worker, EventRecorder recorder, IActorObserver observer, TimeSpan? stopGrace = null, string? sharedKey = null)
    {
        _stopGrace = stopGrace ?? TimeSpan.FromMilliseconds(500);
        _worker = worker;
        _recorder = recorder;
        _observer = observer;
        _sharedKey = sharedKey ?? SharedNameOwner.Current + "-g" + Guid.NewGuid().ToString("N")[..10];
    }

    /// <summary>How many events one drain of one child moves before the thread looks at the others.</summary>
    private const int DrainBatch = 64 * 1024;

    /// <summary>
    /// How long the drain thread sleeps once it has caught up: well within a frame of the live
    /// view, and about 3 % of a ring's room at a million events a second (a ring holds a quarter
    /// of a second of them). The children run on the cores it wakes up on, so it wakes seldom and
    /// moves much each time: on the 2-core speed benchmark, pausing 1 ms after every round that
    /// found events gave processes medians of 0.85–1.22 M items/s against 1.04–1.64 with this
    /// pause.
    /// </summary>
    private const int DrainPauseMs = 8;

    /// <summary>
    /// The run's process group, 0 before any child started. Its leader is a small holder process
    /// that lives until the group is killed, so the group exists for the whole run: siblings can
    /// always join it, and its id cannot be reused by another program while we may signal it.
    /// </summary>
    public int GroupId => Volatile.Read(ref _groupId);

    /// <summary>The resource of the span a child's lane shows from its spawn to its first event.</summary>
    public const string StartupResource = "startup";

    /// <summary>Pids of the children started so far.</summary>
    public IReadOnlyList<int> Pids
    {
        get
        {
            lock (_gate)
            {
                return [.. _children.Select(c => c.Pid)];
            }
        }
    }

    /// <summary>The first unexpected exit, once one happened.</summary>
    public ChildExit? FirstCrash { get; private set; }

    /// <summary>
    /// Called (from the crashed child's reader thread) after a child crashed and its peers were
    /// told to stop: whoever waits on the run in this process can stop waiting too.
    /// </summary>
    public Action? OnCrash { get; init; }

    /// <summary>The pid of <paramref name="actor"/>'s child, 0 when it has none.</summary>
    public int PidOf(int actor)
    {
        lock (_gate)
        {
            return _children.LastOrDefault(c => c.Actor == actor)?.Pid ?? 0;
        }
    }

    /// <summary>Exits seen so far.</summary>
    public IReadOnlyList<ChildExit> Exits
    {
        get
        {
            lock (_gate)
            {
                return [.. _children.Where(c => c.Exit is not null).Select(c => c.Exit!)];
            }
        }
    }

    /// <summary>Starts the child for <paramref name="actor"/> with its role's arguments.</summary>
    /// <remarks>
    /// Call it from a thread that lives as long as the run (the run's own thread): Linux sends
    /// PR_SET_PDEATHSIG when the thread that forked the child exits, not the process, so a child
    /// spawned from a pool thread dies when the pool retires that thread.
    /// </remarks>
    /// <param name="recordStartup">
    /// Records, on the child's lane, a <c>sleep</c> event on <see cref="StartupResource"/> stamped
    /// just before the process was started, so its lane shows the start-up as a span of its own:
    /// the process exists but is not yet running the actor's code (a new process, in the terms of
    /// OS texts), drawn in the ready/sleeping colour until its first event.
    /// </param>
    public void Spawn(int actor, string name, IEnumerable<string> arguments, Action<RawEvent>? observe = null, bool recordStartup = false)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_groupId == 0)
            {
                StartGroupHolder();
            }

            var ring = EventRingReader.Create(EventRing.PathOf(_sharedKey, _spawned++));
            Process process;
            long spawned;
            try
            {
                var info = _worker.StartInfo(
                    ["--parent", Environment.ProcessId.ToString(CultureInfo.InvariantCulture), "--pgid", _groupId.ToString(CultureInfo.InvariantCulture),
                        "--events", ring.Path, .. arguments],
                    redirectInput: true, redirectError: true);
                spawned = Stopwatch.GetTimestamp();
                process = Process.Start(info) ?? throw new InvalidOperationException("the worker did not start");
            }
            catch
            {
                ring.Dispose();
                throw;
            }

            var child = new Child(actor, name, process, spawned, ring, observe);
            _children.Add(child);
            if (recordStartup)
            {
                // Written before the reader thread starts, which then owns the lane.
                _recorder[actor].RecordAt(spawned, EventKind.Sleep, StartupResource, 0, -1);
                observe?.Invoke(new RawEvent(spawned, actor, EventKind.Sleep, StartupResource, 0, -1));
            }

            _observer.ActorStarted(actor, process.Id, process.Id);
            Volatile.Write(ref _draining, [.. _draining, child]);
            if (_drainThread is null)
            {
                _drainThread = new Thread(DrainLoop) { IsBackground = true, Name = "event-rings" };
                _drainThread.UnsafeStart();
            }

            child.ErrorReader = new Thread(() => DrainErrors(child)) { IsBackground = true, Name = $"stderr-{name}" };
            child.ErrorReader.UnsafeStart();
            child.Reader = new Thread(() => Pump(child)) { IsBackground = true, Name = $"pipe-{name}" };
            child.Reader.UnsafeStart();
        }
    }

    /// <summary>
    /// The drain thread: moves what every live child wrote into its lane, at once while there is
    /// more, otherwise after <see cref="DrainPauseMs"/>.
    /// It never makes a child wait: a child that outruns it loses events, counted, not time.
    /// </summary>
    private void DrainLoop()
    {
        while (!_stopDraining)
        {
            var behind = false;
            foreach (var child in Volatile.Read(ref _draining))
            {
                behind |= Drain(child, DrainBatch) == DrainBatch;
            }

            if (behind)
            {
                continue;
            }

            Thread.Sleep(DrainPauseMs);
        }
    }

    /// <summary>
    /// Moves up to <paramref name="max"/> of a child's events into its lane; the drain thread and the
    /// child's own pipe thread (for its last events) take turns. A ring holding what the child
    /// could not have written stops the child, which is then reported as garbled.
    /// </summary>
    private int Drain(Child child, int max)
    {
        lock (child.DrainGate)
        {
            if (child.Ring is not { } ring || child.Garbled)
            {
                return 0;
            }

            try
            {
                return ring.Drain(_recorder[child.Actor], child.Observe, max);
            }
            catch (InvalidDataException)
            {
                child.Garbled = true;
                Signal(child);
                return 0;
            }
        }
    }

    /// <summary>Starts the group's leader ("--hold") and waits until it has made the group.</summary>
    private void StartGroupHolder()
    {
        // Its stdin stays open to keep it waiting; its stderr goes to the server's.
        var info = _worker.StartInfo(["--parent", Environment.ProcessId.ToString(CultureInfo.InvariantCulture), "--pgid", "0", "--hold"],
            redirectInput: true, redirectError: false);
        var holder = Process.Start(info) ?? throw new InvalidOperationException("the worker did not start");
        _holder = holder;
        // It answers "ok" once it leads its group, then waits until killed or its stdin closes.
        var ready = new char[2];
        var read = holder.StandardOutput.ReadBlockAsync(ready, 0, 2);
        if (!read.Wait(TimeSpan.FromSeconds(30)) || read.Result != 2 || new string(ready) != "ok")
        {
            KillHolder();
            throw new InvalidOperationException("the worker could not start the run's process group");
        }

        Volatile.Write(ref _groupId, holder.Id);
    }

    private void KillHolder()
    {
        var holder = Interlocked.Exchange(ref _holder, null);
        if (holder is null)
        {
            return;
        }

        try
        {
            holder.Kill();
        }
        catch (InvalidOperationException)
        {
        }

        holder.WaitForExit();
        CloseStreams(holder);
        holder.Dispose();
    }

    /// <summary>
    /// Closes a reaped child's pipes. Process.Dispose leaves the streams a caller has touched to the
    /// finalizer, which would keep their descriptors open until a garbage collection.
    /// </summary>
    private static void CloseStreams(Process process)
    {
        var info = process.StartInfo;
        if (info.RedirectStandardInput)
        {
            try
            {
                process.StandardInput.Dispose();
            }
            catch (IOException)
            {
                // The child is gone; its end of the pipe is already closed.
            }
        }

        if (info.RedirectStandardOutput)
        {
            process.StandardOutput.Dispose();
        }

        if (info.RedirectStandardError)
        {
            process.StandardError.Dispose();
        }
    }

    /// <summary>Waits until the given actors' children have exited, or one crashed, or cancellation.</summary>
    public bool WaitFor(IEnumerable<int> actors, CancellationToken cancellationToken)
    {
        var wanted = actors.ToHashSet();
        while (true)
        {
            _changed.Reset();
            lock (_gate)
            {
                if (FirstCrash is not null)
                {
                    return false;
                }

                if (_children.Where(c => wanted.Contains(c.Actor)).All(c => c.Exit is not null))
                {
                    return true;
                }
            }

            try
            {
                _changed.Wait(cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return false;
            }
        }
    }

    /// <summary>Waits for every child; false when one crashed or the wait was cancelled.</summary>
    public bool WaitAll(CancellationToken cancellationToken)
    {
        List<int> all;
        lock (_gate)
        {
            all = [.. _children.Select(c => c.Actor)];
        }

        return WaitFor(all, cancellationToken);
    }

    /// <summary>Kills the given actors' children on purpose (daemons at the end of the main program).</summary>
    public void Stop(IEnumerable<int> actors)
    {
        var wanted = actors.ToHashSet();
        List<Child> targets;
        lock (_gate)
        {
            targets = [.. _children.Where(c => wanted.Contains(c.Actor) && c.Exit is null)];
            foreach (var c in targets)
            {
                c.StopRequested = true;
            }
        }

        Terminate(targets, wholeGroup: false);
        foreach (var c in targets)
        {
            c.Reader?.Join();
        }
    }

    /// <summary>Stops the whole group (SIGTERM, grace, SIGKILL), then reaps every child.</summary>
    public void KillAll()
    {
        List<Child> children;
        lock (_gate)
        {
            children = [.. _children];
            foreach (var c in children)
            {
                c.StopRequested |= c.Exit is null;
            }
        }

        Terminate(children, wholeGroup: true);

        foreach (var c in children)
        {
            c.Reader?.Join();
            c.ErrorReader?.Join();
        }

        KillHolder();
    }

    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
        }

        KillAll();
        _stopDraining = true;
        _drainThread?.Join();
        lock (_gate)
        {
            foreach (var c in _children)
            {
                lock (c.DrainGate)
                {
                    c.Ring?.Dispose();
                    c.Ring = null;
                }

                c.Process.Dispose();
            }
        }

        _changed.Dispose();
    }

    /// <summary>
    /// The child's pipe thread: waits for its stdout to close (it writes nothing there; the pipe
    /// closes when it exits), reaps it, moves its last events into its lane and records how it ended.
    /// </summary>
    private void Pump(Child child)
    {
        var log = _recorder[child.Actor];
        try
        {
            var stdout = child.Process.StandardOutput.BaseStream;
            var sink = new byte[256];
            while (stdout.Read(sink) > 0)
            {
                // Nothing is expected on stdout; whatever comes is read so the child never blocks on it.
            }
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException)
        {
            // A broken pipe: this child can no longer be watched. It is stopped and reported as crashed.
            Signal(child);
        }

        // The pipe closed: the child exited or is about to. Reap it (no zombie) and read its code.
        child.Process.WaitForExit();
        child.Reaped = true;
        child.ErrorReader?.Join(TimeSpan.FromSeconds(2));
        CloseStreams(child.Process);
        long? first;
        lock (child.DrainGate)
        {
            // Everything it published is in the ring, even if it was killed a moment later.
            Drain(child, int.MaxValue);
            first = child.Ring?.FirstTimestamp;
            child.Ring?.Dispose();
            child.Ring = null;
        }

        lock (_gate)
        {
            Volatile.Write(ref _draining, [.. _draining.Where(c => c != child)]);
        }

        var startupMs = first is { } firstStamp
            ? (firstStamp - child.SpawnedAt) * 1000.0 / Stopwatch.Frequency
            : double.NaN;
        var exitCode = child.Garbled ? ChildExit.GarbledOutput : child.Process.ExitCode;
        var exit = new ChildExit(child.Actor, child.Name, child.Pid, exitCode, child.StopRequested && !child.Garbled, startupMs);
        if (exit.Crashed)
        {
            log.Record(EventKind.Crash, exit.Signal is { } sig ? "signal " + sig.ToString(CultureInfo.InvariantCulture) : "exit code", exit.Signal ?? exit.ExitCode);
        }
        else if (child.StopRequested && exit.ExitCode != 0)
        {
            log.Record(EventKind.End, "stopped");
        }

        lock (_gate)
        {
            child.Exit = exit;
            if (exit.Crashed && FirstCrash is null)
            {
                FirstCrash = exit;
                lock (child.ErrorLines)
                {
                    child.Error = string.Join('\n', child.ErrorLines);
                }
            }
        }

        if (exit.Crashed)
        {
            // A dead peer may leave the others blocked on a semaphore forever: end the run.
            KillAllExcept(child);
            try
            {
                OnCrash?.Invoke();
            }
            catch (ObjectDisposedException)
            {
                // The run has already ended.
            }
        }

        try
        {
            _changed.Set();
        }
        catch (ObjectDisposedException)
        {
        }
    }

    private void KillAllExcept(Child dead)
    {
        List<Child> others;
        lock (_gate)
        {
            others = [.. _children.Where(c => c != dead && c.Exit is null)];
            foreach (var c in others)
            {
                c.StopRequested = true;
            }
        }

        Terminate(others, wholeGroup: true);
    }

    /// <summary>
    /// Asks <paramref name="targets"/> to stop with SIGTERM, gives them the grace period to exit,
    /// then kills what is left with SIGKILL (a stopped child ignores SIGTERM until it is killed).
    /// With <paramref name="wholeGroup"/> the signals go to the run's process group too, which
    /// reaches any member that is not one of the targets; the holder ignores SIGTERM.
    /// </summary>
    private void Terminate(IReadOnlyList<Child> targets, bool wholeGroup)
    {
        if (wholeGroup)
        {
            SignalGroup(LibC.SIGTERM);
        }

        foreach (var c in targets)
        {
            Signal(c, LibC.SIGTERM);
        }

        var deadline = Stopwatch.GetTimestamp() + (long)(_stopGrace.TotalSeconds * Stopwatch.Frequency);
        foreach (var c in targets)
        {
            // The reader finishes once the child has exited and been reaped.
            var left = Math.Max(0, (deadline - Stopwatch.GetTimestamp()) * 1000 / Stopwatch.Frequency);
            if (c.Reader is { } reader && reader != Thread.CurrentThread)
            {
                reader.Join(TimeSpan.FromMilliseconds(left));
            }
        }

        if (wholeGroup)
        {
            SignalGroup(LibC.SIGKILL);
        }

        foreach (var c in targets)
        {
            Signal(c, LibC.SIGKILL);
        }
    }

    /// <summary>Signals every member of the group while its holder keeps the id from being reused.</summary>
    private void SignalGroup(int signal)
    {
        if (_groupId > 0 && _holder is { HasExited: false })
        {
            _ = LibC.Kill(-_groupId, signal);
        }
    }

    /// <summary>Signals one child unless it has already been reaped (its pid could belong to another program by then).</summary>
    private static void Signal(Child c, int signal = LibC.SIGKILL)
    {
        if (!c.Reaped && !c.Process.HasExited)
        {
            _ = LibC.Kill(c.Pid, signal);
        }
    }

    private static void DrainErrors(Child child)
    {
        try
        {
            string? line;
            while ((line = child.Process.StandardError.ReadLine()) is not null)
            {
                lock (child.ErrorLines)
                {
                    child.ErrorLines.Enqueue(line);
                    while (child.ErrorLines.Count > 20)
                    {
                        child.ErrorLines.Dequeue();
                    }
                }
            }
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException)
        {
        }
    }

    /// <summary>The last lines a crashed child wrote to stderr.</summary>
    public string? CrashOutput
    {
        get
        {
            lock (_gate)
            {
                return _children.FirstOrDefault(c => c.Exit == FirstCrash && FirstCrash is not null)?.Error;
            }
        }
    }

    private sealed class Child(int actor, string name, Process process, long spawnedAt, EventRingReader ring, Action<RawEvent>? observe)
    {
        public int Actor { get; } = actor;
        public string Name { get; } = name;
        public Process Process { get; } = process;
        public int Pid { get; } = process.Id;
        public long SpawnedAt { get; } = spawnedAt;
        public Action<RawEvent>? Observe { get; } = observe;

        /// <summary>Taken by whoever drains the ring: one writer of the lane at a time.</summary>
        public object DrainGate { get; } = new();

        /// <summary>Its event ring until it was reaped and drained for the last time.</summary>
        public EventRingReader? Ring { get; set; } = ring;
        public Thread? Reader { get; set; }
        public Thread? ErrorReader { get; set; }
        public volatile bool StopRequested;
        public volatile bool Reaped;
        public volatile bool Garbled;
        public ChildExit? Exit { get; set; }
        public string? Error { get; set; }
        public Queue<string> ErrorLines { get; } = new();
    }
}
