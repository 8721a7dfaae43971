using System.Globalization;
using Microsoft.Extensions.Options;
using Playground.Scenarios.Engine;
using Playground.Scenarios.Processes;
using Playground.Server.Identity;
using Playground.Server.Processes;
using Playground.Shared.Catalog;
using Playground.Shared.Events;
using Playground.Scenarios.Recording;
using Playground.Shared.Parameters;
using Playground.Shared.Runs;
using Playground.Shared.Text;

namespace Playground.Server.Runs;

/// <summary>
/// Admits, queues or refuses runs; executes each on a dedicated thread with a deadline and a
/// cancellation token; keeps finished runs readable for a while. The single owner of every run's
/// lifetime: nothing it starts outlives it.
/// </summary>
public sealed partial class RunManager : IDisposable
{
    private readonly object _gate = new();
    private readonly Dictionary<string, Run> _runs = new(StringComparer.Ordinal);
    private readonly LinkedList<Run> _queue = new();
    private readonly HashSet<Run> _active = [];
    private readonly List<Thread> _threads = [];
    private readonly ScenarioRegistry _scenarios;
    private readonly RunOptions _options;
    private readonly ILogger<RunManager> _logger;
    private readonly TimeProvider _time;
    private bool _disposed;

    private readonly WorkerLocator _worker;
    private readonly ProcessOptions _processes;

    private readonly Storage.SavedRuns? _saved;

    public RunManager(ScenarioRegistry scenarios, IOptions<RunOptions> options, IOptions<ProcessOptions> processes,
        WorkerLocator worker, ILogger<RunManager> logger, TimeProvider time, Storage.SavedRuns? saved = null)
    {
        _saved = saved;
        _scenarios = scenarios;
        _options = options.Value;
        _processes = processes.Value;
        _worker = worker;
        _logger = logger;
        _time = time;
    }

    public RunOptions Options => _options;

    public ScenarioRegistry Scenarios => _scenarios;

    /// <summary>Raised after any run changes; handlers must be quick and must not throw.</summary>
    public event Action<Run>? RunChanged;

    /// <summary>
    /// The run with this id: one this server started and still keeps, else a saved one read back
    /// from the archive — so every endpoint reads a saved run as it read the live one.
    /// </summary>
    public Run? Find(string id)
    {
        lock (_gate)
        {
            if (_runs.TryGetValue(id, out var live))
            {
                return live;
            }
        }

        return _saved?.Find(id);
    }

    /// <summary>The run with this id only if this server started it and still keeps it in memory.</summary>
    public Run? FindLive(string id)
    {
        lock (_gate)
        {
            return _runs.GetValueOrDefault(id);
        }
    }

    public StartResult Start(RunStartRequest request, RunOwner owner) => Start(request, owner, out _);

    /// <summary>Starts or queues a run; <paramref name="run"/> is the run admitted, for callers in the host that follow it.</summary>
    internal StartResult Start(RunStartRequest request, RunOwner owner, out Run? run)
    {
        ArgumentNullException.ThrowIfNull(owner);
        ArgumentNullException.ThrowIfNull(request);
        run = null;
        if (Prepare(request, out var setup) is { } refused)
        {
            return refused;
        }

        var (scenario, validation, plan, processes) = setup;
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (Refusal(owner, plan, processes) is { } refusal)
            {
                return refusal;
            }

            var startNow = _active.Count < _options.MaxConcurrentRuns && _queue.Count == 0;

            var id = RunIds.New();
            var execution = scenario.Create(validation.Values, new RunEnvironment(id, processes ? _worker.Command : null)
            {
                StopGrace = TimeSpan.FromMilliseconds(_processes.StopGraceMilliseconds),
            });
            run = new Run(id, scenario, validation.Values, plan, execution, owner) { UsesProcesses = processes };
            _runs[run.Id] = run;
            if (startNow)
            {
                TryLaunch(run);
            }
            else
            {
                _queue.AddLast(run);
                run.SetQueuePosition(_queue.Count);
                Log.Queued(_logger, run.Id, scenario.Descriptor.Id, _queue.Count);
            }
        }

        Notify(run);
        return new StartResult(run.ToInfo(), StartRefusal.None, null, [], null);
    }

    /// <summary>
    /// Whether a request could run at all, without starting it: the scenario, every knob, and the
    /// hard caps. Null when it could; else the refusal (invalid, or too large) a start would give.
    /// Waiting never changes this answer; the caps that waiting lifts are checked at start.
    /// </summary>
    public StartResult? Vet(RunStartRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return Prepare(request, out _);
    }

    private readonly record struct Setup(IScenario Scenario, ValidationResult Validation, RunPlan Plan, bool Processes);

    private StartResult? Prepare(RunStartRequest request, out Setup setup)
    {
        setup = default;
        if (ScenarioCatalog.Coming.FirstOrDefault(c => string.Equals(c.Id, request.Scenario, StringComparison.OrdinalIgnoreCase)) is { } coming
            && !_scenarios.TryGet(coming.Id, out _))
        {
            return Invalid([new ParameterError("scenario", Msg.Of("scenario.coming", ("id", coming.Id), ("name", ScenarioTexts.Name(coming))))]);
        }

        if (string.IsNullOrWhiteSpace(request.Scenario) || !_scenarios.TryGet(request.Scenario, out var scenario))
        {
            var known = string.Join(", ", _scenarios.Scenarios.Select(s => s.Descriptor.Id));
            return Invalid([new ParameterError("scenario", Msg.Of("scenario.unknown", ("id", ParameterValidator.Clip(request.Scenario ?? "")), ("known", known)))]);
        }

        var validation = ParameterValidator.Validate(scenario.Descriptor, request.Parameters);
        if (!validation.IsValid)
        {
            return Invalid(validation.Errors);
        }

        var plan = scenario.Plan(validation.Values);
        var processes = IsProcesses(scenario.Descriptor, validation.Values);
        if (processes && _worker.Command is null)
        {
            return Invalid([new ParameterError(scenario.Descriptor.ModeParameter, Msg.Of("mode.unavailable", ("status", _worker.Status)))]);
        }

        if (Limits(scenario.Descriptor, plan, processes).FirstOrDefault() is { } limit)
        {
            return TooLarge(limit.Text);
        }

        setup = new Setup(scenario, validation, plan, processes);
        return null;
    }

    /// <summary>
    /// Why a start must wait or be refused, under the lock: the server's process budget, the caps
    /// per identity and per address, the queue, and each one's fair share of queue and processes.
    /// </summary>
    private StartResult? Refusal(RunOwner owner, RunPlan plan, bool processes)
    {
        // A run that has ended holds nothing any more, even in the moment before its thread leaves.
        var live = _active.Where(r => !r.IsFinal).Concat(_queue);
        if (processes)
        {
            var needed = ProcessesOf(plan);
            var inUse = live.Where(r => r.UsesProcesses).Sum(r => ProcessesOf(r.Plan));
            if (inUse + needed > _processes.MaxProcessesTotal)
            {
                return Busy(Msg.Of("busy.processes", ("inUse", inUse), ("max", _processes.MaxProcessesTotal)), TimeSpan.FromSeconds(10));
            }

            var share = FairShareOf(_processes.MaxProcessesTotal);
            var held = Math.Max(
                live.Where(r => r.UsesProcesses && r.Owner.Identity == owner.Identity).Sum(r => ProcessesOf(r.Plan)),
                live.Where(r => r.UsesProcesses && r.Owner.Address == owner.Address).Sum(r => ProcessesOf(r.Plan)));
            if (held + needed > share)
            {
                return Busy(Msg.Of("busy.fairProcesses", ("held", held), ("needed", needed), ("max", share)), TimeSpan.FromSeconds(10));
            }
        }

        var mine = live.Count(r => r.Owner.Identity == owner.Identity);
        if (mine >= _options.MaxRunsPerClient)
        {
            return Busy(Msg.Of("busy.client", ("mine", mine), ("max", _options.MaxRunsPerClient)), TimeSpan.FromSeconds(5));
        }

        var ours = live.Count(r => r.Owner.Address == owner.Address);
        if (ours >= _options.MaxRunsPerAddress)
        {
            return Busy(Msg.Of("busy.address", ("ours", ours), ("max", _options.MaxRunsPerAddress)), TimeSpan.FromSeconds(5));
        }

        var startNow = _active.Count < _options.MaxConcurrentRuns && _queue.Count == 0;
        if (startNow)
        {
            return null;
        }

        if (_queue.Count >= _options.MaxQueuedRuns)
        {
            return Busy(Msg.Of("busy.server", ("active", _active.Count), ("queued", _queue.Count)), TimeSpan.FromSeconds(10));
        }

        var queueShare = FairShareOf(_options.MaxQueuedRuns);
        var queued = Math.Max(_queue.Count(r => r.Owner.Identity == owner.Identity), _queue.Count(r => r.Owner.Address == owner.Address));
        return queued + 1 > queueShare
            ? Busy(Msg.Of("busy.fairQueue", ("queued", queued), ("max", queueShare)), TimeSpan.FromSeconds(10))
            : null;
    }

    /// <summary>The child processes a processes run holds at once: its children plus the holder of its process group.</summary>
    private static int ProcessesOf(RunPlan plan) => (plan.ChildProcesses ?? plan.Actors) + 1;

    /// <summary>The most of <paramref name="total"/> one identity or address may hold (at least one).</summary>
    private int FairShareOf(int total) => Math.Max(1, (int)Math.Floor(total * _options.FairShare));

    /// <summary>Cancels a queued or running run for <paramref name="by"/>, who must own it (null: the server itself).</summary>
    public CancelOutcome Cancel(string id, RunOwner? by)
    {
        Run? run;
        bool wasQueued;
        // A saved run has ended: only its owner is told so, as for a live one.
        var saved = FindLive(id) is null ? _saved?.Find(id) : null;
        lock (_gate)
        {
            if (!_runs.TryGetValue(id, out run) && (run = saved) is null)
            {
                return CancelOutcome.Unknown;
            }

            if (by is not null && run.Owner.Identity != by.Identity)
            {
                return CancelOutcome.NotOwner;
            }

            if (run.IsFinal)
            {
                return CancelOutcome.Ended;
            }

            wasQueued = _queue.Remove(run);
            if (wasQueued)
            {
                RenumberQueue();
            }
        }

        if (wasQueued)
        {
            run.Finish(RunState.Cancelled, Msg.Of("reason.cancelledBeforeStart"), null);
            Notify(run);
        }
        else
        {
            run.CancelRequested = true;
            run.Cancellation.Cancel();
        }

        return CancelOutcome.Cancelled;
    }

    /// <summary>Drops finished runs past their retention, and the oldest past the count cap.</summary>
    public int Evict()
    {
        var now = _time.GetUtcNow();
        var keep = TimeSpan.FromMinutes(_options.RetentionMinutes);
        lock (_gate)
        {
            var finished = _runs.Values.Where(r => r.IsFinal).OrderBy(r => r.EndedAt).ToList();
            var over = Math.Max(0, finished.Count - _options.MaxRetainedRuns);
            var events = finished.Sum(r => r.Recorder?.Count ?? 0);
            var removed = 0;
            foreach (var run in finished)
            {
                if (removed < over || now - run.EndedAt > keep || events > _options.MaxRetainedEvents)
                {
                    _runs.Remove(run.Id);
                    events -= run.Recorder?.Count ?? 0;
                    removed++;
                }
            }

            return removed;
        }
    }

    /// <summary>Runs known now (any state), newest first.</summary>
    public IReadOnlyList<Run> List()
    {
        lock (_gate)
        {
            return [.. _runs.Values.OrderByDescending(r => r.CreatedAt)];
        }
    }

    /// <summary>The runs of one identity known now, newest first.</summary>
    public IReadOnlyList<Run> List(RunOwner owner)
    {
        lock (_gate)
        {
            return [.. _runs.Values.Where(r => r.Owner.Identity == owner.Identity).OrderByDescending(r => r.CreatedAt)];
        }
    }

    /// <summary>Launches a run; if its thread cannot even start, the run fails instead of hanging in "running".</summary>
    private bool TryLaunch(Run run)
    {
        try
        {
            Launch(run);
            return true;
        }
        catch (Exception ex) when (ex is OutOfMemoryException or ThreadStartException or InvalidOperationException)
        {
            _active.Remove(run);
            Log.Failed(_logger, ex);
            run.Finish(RunState.Failed, Msg.Of("reason.startFailed", ("error", ex.Message)), null);
            return false;
        }
    }

    private void Launch(Run run)
    {
        _active.Add(run);
        var recorder = new EventRecorder(run.Execution.Actors.Count, _options.MaxEventsPerRun);
        run.DeadlineSeconds = DeadlineOf(run);
        run.Cancellation.CancelAfter(TimeSpan.FromSeconds(run.DeadlineSeconds));
        run.MarkRunning(recorder);
        var thread = new Thread(() => Execute(run, recorder))
        {
            IsBackground = true,
            Name = "run-" + run.Id,
        };
        _threads.Add(thread);
        // UnsafeStart: the run must not inherit the starting request's logging scope.
        thread.UnsafeStart();
    }

    private void Execute(Run run, EventRecorder recorder)
    {
        var scenarioId = run.Scenario.Descriptor.Id;
        using var scope = _logger.BeginScope(new Dictionary<string, object> { ["RunId"] = run.Id, ["Scenario"] = scenarioId });
        var token = run.Cancellation.Token;
        Notify(run);
        Log.Started(_logger, run.Execution.Actors.Count, run.Values.ToText());

        ScenarioOutcome? outcome = null;
        Exception? failure = null;
        try
        {
            outcome = run.Execution.Execute(recorder, new Observer(run, this), token);
        }
        catch (Exception ex)
        {
            failure = ex;
        }
        finally
        {
            var end = System.Diagnostics.Stopwatch.GetTimestamp();
            Msg? reason;
            RunState state;
            if (failure is null && outcome?.Failure is { } crashed)
            {
                state = RunState.Failed;
                reason = crashed;
            }
            else if (failure is not null)
            {
                state = RunState.Failed;
                var first = failure is AggregateException agg ? agg.InnerExceptions[0] : failure;
                reason = first is ActorFailedException actorFailed
                    ? actorFailed.Reason
                    : Msg.Of("reason.actorFailed", ("error", first.Message));
                Log.Failed(_logger, failure);
            }
            else if (token.IsCancellationRequested && run.StopReason is { } stuck)
            {
                state = RunState.Failed;
                reason = stuck;
            }
            else if (token.IsCancellationRequested)
            {
                state = RunState.Cancelled;
                reason = run.CancelRequested
                    ? Msg.Of("reason.cancelled")
                    : Msg.Of("reason.deadline", ("seconds", run.DeadlineSeconds));
            }
            else
            {
                state = RunState.Completed;
                reason = null;
            }

            RunSummary? summary = null;
            try
            {
                summary = outcome is null ? null : Summaries.Build(run, recorder, outcome, end);
            }
            catch (Exception ex)
            {
                Log.Failed(_logger, ex);
                state = RunState.Failed;
                reason = Msg.Of("reason.summaryFailed", ("error", ex.Message));
            }

            run.Finish(state, reason, summary, end);
            Log.Finished(_logger, state, summary?.WallMs ?? 0, summary?.Verdict.Held);
            // Whatever an actor may still be blocked on is released; the deadline has done its job.
            run.Cancellation.Cancel();
            Notify(run);
            OnRunEnded(run);
        }
    }

    /// <summary>
    /// A multiple of the run's estimate, never shorter than the minimum nor longer than the
    /// maximum; processes mode adds start-up time per child (a worker takes about 0.1 s to start,
    /// more on a busy machine).
    /// </summary>
    private double DeadlineOf(Run run)
    {
        var seconds = Math.Max(_options.MinDeadlineSeconds, run.Plan.EstimatedSeconds * _options.DeadlineFactor);
        if (run.UsesProcesses)
        {
            seconds += 0.25 * ProcessesOf(run.Plan);
        }

        return Math.Min(seconds, _options.MaxDurationSeconds);
    }

    /// <summary>
    /// The watchdog's look at every running run: an actor that is not blocked and has recorded
    /// nothing for longer than the stall limit (or its longest step) is stuck — stopped by hand,
    /// hung in a system call — and so is a run in which no actor has recorded anything for that
    /// long. Such a run is stopped, naming the actor, with the usual cleanup. Returns the runs stopped.
    /// </summary>
    public int CheckProgress()
    {
        List<Run> running;
        lock (_gate)
        {
            running = [.. _active];
        }

        var stopped = 0;
        var now = System.Diagnostics.Stopwatch.GetTimestamp();
        foreach (var run in running)
        {
            if (run.Recorder is not { } recorder || run.IsFinal || run.Cancellation.IsCancellationRequested)
            {
                continue;
            }

            var limit = Math.Max(_options.StallSeconds, (run.Plan.LongestStepSeconds * 1.5) + 1);
            var limitTicks = (long)(limit * System.Diagnostics.Stopwatch.Frequency);
            var stuck = -1;
            var stuckSince = long.MaxValue;
            var oldest = -1;
            var oldestAt = long.MaxValue;
            var newest = long.MinValue;
            for (var a = 0; a < recorder.ActorCount; a++)
            {
                var log = recorder[a];
                var kind = log.LastKind;
                if (kind is EventKind.End or EventKind.Crash)
                {
                    continue;
                }

                var at = kind is null ? recorder.StartTimestamp : log.LastTimestamp;
                newest = Math.Max(newest, at);
                if (at < oldestAt)
                {
                    (oldest, oldestAt) = (a, at);
                }

                // An actor with no event yet may still be starting (children start one after another):
                // it counts only when nobody at all has moved.
                if (kind is not null && kind != EventKind.Wait && now - at > limitTicks && at < stuckSince)
                {
                    (stuck, stuckSince) = (a, at);
                }
            }

            if (stuck < 0 && oldest >= 0 && now - newest > limitTicks)
            {
                // Everyone still running is blocked and nothing has moved: name the longest silent.
                stuck = oldest;
            }

            if (stuck < 0)
            {
                continue;
            }

            var actor = run.ToInfo().Actors[stuck];
            run.StopReason = run.UsesProcesses
                ? Msg.Of("reason.stalled", ("actor", actor.Name), ("pid", actor.Pid), ("seconds", limit))
                : Msg.Of("reason.stalledThread", ("actor", actor.Name), ("thread", actor.ThreadId ?? 0), ("seconds", limit));
            Log.Stalled(_logger, run.Id, actor.Name, actor.Pid, limit);
            run.Cancellation.Cancel();
            stopped++;
        }

        return stopped;
    }

    private void OnRunEnded(Run run)
    {
        // Keep the memory of finished runs bounded as soon as one more is added.
        Evict();
        lock (_gate)
        {
            _active.Remove(run);
            _threads.RemoveAll(t => t == Thread.CurrentThread);
            while (!_disposed && _active.Count < _options.MaxConcurrentRuns && _queue.First is { } next)
            {
                _queue.RemoveFirst();
                TryLaunch(next.Value);
            }

            RenumberQueue();
        }
    }

    private void RenumberQueue()
    {
        var position = 1;
        foreach (var queued in _queue)
        {
            queued.SetQueuePosition(position++);
            Notify(queued);
        }
    }

    internal void Notify(Run run)
    {
        try
        {
            RunChanged?.Invoke(run);
        }
        catch (Exception ex)
        {
            Log.NotifyFailed(_logger, ex);
        }
    }

    /// <summary>The size of a setup and every hard cap it goes over, for the form to show before Run.</summary>
    public SetupCheck? Check(RunStartRequest request)
    {
        if (string.IsNullOrWhiteSpace(request.Scenario) || !_scenarios.TryGet(request.Scenario, out var scenario))
        {
            return null;
        }

        var validation = ParameterValidator.Validate(scenario.Descriptor, request.Parameters);
        if (!validation.IsValid)
        {
            return null;
        }

        var plan = scenario.Plan(validation.Values);
        return new SetupCheck(plan.Actors, plan.Items, plan.EstimatedSeconds,
            Limits(scenario.Descriptor, plan, IsProcesses(scenario.Descriptor, validation.Values)).ToList());
    }

    private static bool IsProcesses(ScenarioDescriptor scenario, ParameterValues values) =>
        scenario.HostModeOf(values) == RunModes.Processes;

    // The hard caps a setup can break; waiting never lifts these, changing the setup does.
    private IEnumerable<SetupLimit> Limits(ScenarioDescriptor scenario, RunPlan plan, bool processes)
    {
        if (plan.Actors > _options.MaxActorsPerRun)
        {
            yield return new SetupLimit(Msg.Of("limit.actors", ("actors", plan.Actors), ("max", _options.MaxActorsPerRun)), scenario.ActorFields);
        }

        if (plan.Items > _options.MaxItemsPerRun)
        {
            yield return new SetupLimit(Msg.Of("limit.items", ("items", plan.Items), ("max", _options.MaxItemsPerRun)), scenario.ItemFields);
        }

        if (plan.EstimatedSeconds > _options.MaxDurationSeconds)
        {
            yield return new SetupLimit(Msg.Of("limit.duration", ("seconds", plan.EstimatedSeconds), ("max", _options.MaxDurationSeconds)), scenario.DurationFields);
        }

        // One process per child actor, plus the holder that keeps the run's process group; no run
        // may need more than one owner's fair share of the budget.
        var needed = ProcessesOf(plan);
        var maxProcesses = Math.Min(_processes.MaxProcessesPerRun, FairShareOf(_processes.MaxProcessesTotal));
        if (processes && needed > maxProcesses)
        {
            yield return new SetupLimit(Msg.Of("limit.processes", ("needed", needed), ("max", maxProcesses)), [.. scenario.ActorFields.Append(scenario.ModeParameter).Distinct()]);
        }
    }

    private static StartResult Invalid(IReadOnlyList<ParameterError> errors) =>
        new(null, StartRefusal.Invalid, errors.Count == 1 ? errors[0].Text : null, errors, null);

    private static StartResult TooLarge(Msg message) => new(null, StartRefusal.TooLarge, message, [], null);

    private static StartResult Busy(Msg message, TimeSpan retryAfter) => new(null, StartRefusal.Busy, message, [], retryAfter);

    /// <summary>Cancels every run and waits briefly for their threads: nothing outlives the server.</summary>
    public void Dispose()
    {
        List<Thread> threads;
        List<Run> queued;
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            threads = [.. _threads];
            queued = [.. _queue];
            _queue.Clear();
            foreach (var run in _active)
            {
                run.Cancellation.Cancel();
            }
        }

        foreach (var run in queued)
        {
            run.Finish(RunState.Cancelled, Msg.Of("reason.shuttingDown"), null);
        }

        foreach (var t in threads)
        {
            t.Join(TimeSpan.FromSeconds(5));
        }
    }

    private sealed class Observer(Run run, RunManager owner) : IActorObserver
    {
        public void ActorStarted(int actor, int pid, int threadId)
        {
            run.SetActorIdentity(actor, pid, threadId);
            owner.Notify(run);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(LogLevel.Information, "Run {RunId} of {Scenario} queued at position {Position}")]
        public static partial void Queued(ILogger logger, string runId, string scenario, int position);

        [LoggerMessage(LogLevel.Information, "Run started with {ActorCount} actors, parameters {Parameters}")]
        public static partial void Started(ILogger logger, int actorCount, IReadOnlyDictionary<string, string> parameters);

        [LoggerMessage(LogLevel.Information, "Run ended {State} after {WallMs:0} ms, invariant held: {Held}")]
        public static partial void Finished(ILogger logger, RunState state, double wallMs, bool? held);

        [LoggerMessage(LogLevel.Error, "Run failed")]
        public static partial void Failed(ILogger logger, Exception exception);

        [LoggerMessage(LogLevel.Warning, "Run {RunId} stopped: {Actor} (pid {Pid}) made no progress for {Seconds} s")]
        public static partial void Stalled(ILogger logger, string runId, string actor, int pid, double seconds);

        [LoggerMessage(LogLevel.Warning, "A run-change listener failed")]
        public static partial void NotifyFailed(ILogger logger, Exception exception);
    }
}

/// <summary>What became of a cancel request.</summary>
public enum CancelOutcome
{
    Cancelled,
    Unknown,
    Ended,
    NotOwner,
}
