using Microsoft.Extensions.Options;
using Playground.Server.Identity;
using Playground.Scenarios.Engine;
using Playground.Server.Runs;
using Playground.Shared.Runs;
using Playground.Shared.Text;

namespace Playground.Server.Batches;

/// <summary>
/// Owns every batch of repeated runs: checks a batch whole before it starts, then starts its runs
/// one after another through <see cref="RunManager.Start(RunStartRequest, RunOwner)"/>, owned by
/// the batch's owner, so they count against every cap a run does. When the caps are full the batch
/// waits for room; cancelling a batch cancels its current run and starts no more. Finished batches
/// stay readable as long as finished runs; nothing a batch starts outlives the server: when the
/// host stops, every live batch is cancelled and waited for, while the run manager still stands.
/// </summary>
public sealed partial class BatchManager : IHostedService, IDisposable, IAsyncDisposable
{
    /// <summary>The measure of a scenario that names none: the run's wall time in ms.</summary>
    public const string WallMs = BatchMeasures.WallMs;

    // However long a busy answer asks to wait, a batch looks again at least this often...
    private static readonly TimeSpan ShortestWait = TimeSpan.FromSeconds(1);
    // ...and at most this long apart, besides every time a run ends.
    private static readonly TimeSpan LongestWait = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan ShutdownPatience = TimeSpan.FromSeconds(10);

    private readonly object _gate = new();
    private readonly Dictionary<string, Batch> _batches = new(StringComparer.Ordinal);
    private readonly RunManager _runs;
    private readonly BatchOptions _options;
    private readonly RunOptions _runOptions;
    private readonly ILogger<BatchManager> _logger;
    private readonly TimeProvider _time;
    private TaskCompletionSource _runEnded = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private bool _disposed;

    public BatchManager(RunManager runs, IOptions<BatchOptions> options, ILogger<BatchManager> logger, TimeProvider time)
    {
        _runs = runs;
        _options = options.Value;
        _runOptions = runs.Options;
        _logger = logger;
        _time = time;
        _runs.RunChanged += OnRunChanged;
    }

    public BatchOptions Options => _options;

    public BatchLimits Limits => new(_options.MaxRepeat, _options.MaxCombinations, _options.MaxRunsPerBatch, _options.MaxEstimatedSeconds);

    public Batch? Find(string id)
    {
        lock (_gate)
        {
            return _batches.GetValueOrDefault(id);
        }
    }

    /// <summary>The batches of one identity known now, newest first.</summary>
    public IReadOnlyList<Batch> List(RunOwner owner)
    {
        lock (_gate)
        {
            return [.. _batches.Values.Where(b => b.Owner.Identity == owner.Identity).OrderByDescending(b => b.CreatedAt)];
        }
    }

    /// <summary>Batches known now (any state), newest first.</summary>
    public IReadOnlyList<Batch> List()
    {
        lock (_gate)
        {
            return [.. _batches.Values.OrderByDescending(b => b.CreatedAt)];
        }
    }

    /// <summary>
    /// Checks every combination and the batch caps, then starts the batch for <paramref name="owner"/>;
    /// nothing starts when anything is wrong.
    /// </summary>
    public BatchStartResult Start(BatchStartRequest request, RunOwner owner)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(owner);
        if (BatchPlanner.Plan(request, _runs, _options, out var plan) is { } refused)
        {
            return refused;
        }

        Batch batch;
        lock (_gate)
        {
            if (_disposed)
            {
                return Busy(Msg.Of("reason.shuttingDown"));
            }

            var live = _batches.Values.Where(b => !b.IsFinal).ToList();
            var mine = live.Count(b => b.Owner.Identity == owner.Identity);
            if (mine >= _options.MaxBatchesPerClient)
            {
                return Busy(Msg.Of("batch.busy.client", ("mine", mine), ("max", _options.MaxBatchesPerClient)));
            }

            var ours = live.Count(b => b.Owner.Address == owner.Address);
            if (ours >= _options.MaxBatchesPerAddress)
            {
                return Busy(Msg.Of("batch.busy.address", ("ours", ours), ("max", _options.MaxBatchesPerAddress)));
            }

            if (live.Count >= _options.MaxLiveBatches)
            {
                return Busy(Msg.Of("batch.busy.server", ("live", live.Count)));
            }

            batch = new Batch("b" + RunIds.New(), plan!.Scenario.Id, owner, plan.Repeat, plan.Measure, plan.Combinations, _time.GetUtcNow(), plan.Fixed, plan.Vary);
            _batches[batch.Id] = batch;
            // The batch's work must not carry the starting request's logging scope (nor its culture).
            using (ExecutionContext.SuppressFlow())
            {
                batch.Execution = Task.Run(() => ExecuteAsync(batch));
            }
        }

        return new BatchStartResult(batch.ToInfo(), StartRefusal.None, null, [], null);
    }

    /// <summary>Cancels a live batch for <paramref name="by"/>, who must own it (null: the server itself).</summary>
    public CancelOutcome Cancel(string id, RunOwner? by)
    {
        Batch? batch;
        lock (_gate)
        {
            if (!_batches.TryGetValue(id, out batch))
            {
                return CancelOutcome.Unknown;
            }

            if (by is not null && batch.Owner.Identity != by.Identity)
            {
                return CancelOutcome.NotOwner;
            }

            if (batch.IsFinal)
            {
                return CancelOutcome.Ended;
            }
        }

        batch.StopReason = Msg.Of("reason.cancelled");
        batch.Cancellation.Cancel();
        return CancelOutcome.Cancelled;
    }

    /// <summary>Drops finished batches past the runs' retention, and the oldest past the count cap.</summary>
    public int Evict()
    {
        var now = _time.GetUtcNow();
        var keep = TimeSpan.FromMinutes(_runOptions.RetentionMinutes);
        lock (_gate)
        {
            var finished = _batches.Values.Where(b => b.IsFinal).OrderBy(b => b.EndedAt).ToList();
            var over = Math.Max(0, finished.Count - _options.MaxRetainedBatches);
            var removed = 0;
            foreach (var batch in finished)
            {
                if (removed < over || now - batch.EndedAt > keep)
                {
                    _batches.Remove(batch.Id);
                    removed++;
                }
            }

            return removed;
        }
    }

    /// <summary>
    /// Starts the batch's runs one at a time, the combinations taking turns (so a batch stopped
    /// halfway has comparable counts in every row), and follows each to its end.
    /// </summary>
    private async Task ExecuteAsync(Batch batch)
    {
        using var scope = _logger.BeginScope(new Dictionary<string, object> { ["BatchId"] = batch.Id, ["Scenario"] = batch.Scenario });
        var token = batch.Cancellation.Token;
        Log.Started(_logger, batch.Combinations.Count, batch.Repeat, batch.Measure);
        var state = BatchState.Completed;
        Msg? reason = null;
        try
        {
            for (var round = 0; round < batch.Repeat && state == BatchState.Completed; round++)
            {
                for (var row = 0; row < batch.Combinations.Count && state == BatchState.Completed; row++)
                {
                    var (run, refusal) = await AdmitAsync(batch, batch.Combinations[row].Request, token);
                    if (run is null)
                    {
                        state = BatchState.Failed;
                        reason = Msg.Of("batch.runRefused", ("reason", refusal ?? Msg.Of("state.failed")));
                        break;
                    }

                    batch.RunStarted(row, run.Id);
                    var (busyBefore, clockBefore) = (CpuClock.MachineBusyMilliseconds(), _time.GetTimestamp());
                    var ended = await FollowAsync(run, token);
                    var busy = CpuClock.MachineBusyMilliseconds() - busyBefore;
                    batch.RunEnded(row, ended, busy is null ? null : new MachineLoad(busy.Value, _time.GetElapsedTime(clockBefore).TotalMilliseconds));
                    token.ThrowIfCancellationRequested();
                    if (EndsTheBatch(ended))
                    {
                        // A crash, a stuck actor or the deadline would most likely come back on the next run.
                        state = BatchState.Failed;
                        reason = Msg.Of("batch.runFailed", ("id", ended.Id), ("reason", ended.Reason ?? Msg.Of("state.failed")));
                        Log.RunEndedBatch(_logger, ended.Id, ended.State);
                    }
                }
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            state = BatchState.Cancelled;
            reason = batch.StopReason ?? Msg.Of("reason.cancelled");
        }
        catch (ObjectDisposedException)
        {
            // The run manager is gone: the server is stopping.
            state = BatchState.Cancelled;
            reason = Msg.Of("reason.shuttingDown");
        }
        catch (Exception ex)
        {
            Log.Failed(_logger, ex);
            state = BatchState.Failed;
            reason = Msg.Of("batch.error", ("error", ex.Message));
        }
        finally
        {
            batch.Finish(state, reason, _time.GetUtcNow());
            var info = batch.ToInfo();
            Log.Finished(_logger, info.State, info.Done, info.Total);
            Evict();
        }
    }

    /// <summary>
    /// Starts one run; while the caps are full, waits for room — until any run ends or the busy
    /// answer's hint has passed — and asks again. Returns the run, or why it was refused outright.
    /// </summary>
    private async Task<(Run? Run, Msg? Refusal)> AdmitAsync(Batch batch, RunStartRequest request, CancellationToken token)
    {
        while (true)
        {
            token.ThrowIfCancellationRequested();
            // Taken before asking, so a run that ends between the answer and the wait still wakes us.
            var runEnded = RunEnded;
            var result = _runs.Start(request, batch.Owner, out var run);
            if (run is not null)
            {
                return (run, null);
            }

            if (result.Refusal != StartRefusal.Busy)
            {
                return (null, result.Message ?? (result.Errors.Count > 0 ? result.Errors[0].Text : null));
            }

            batch.Waiting(result.Message);
            Log.Waiting(_logger, result.Message?.Key ?? "");
            var hint = result.RetryAfter ?? LongestWait;
            var wait = hint < ShortestWait ? ShortestWait : hint > LongestWait ? LongestWait : hint;
            try
            {
                await runEnded.WaitAsync(wait, _time, token);
            }
            catch (TimeoutException)
            {
                // The hint has passed: ask again.
            }
        }
    }

    /// <summary>Waits for a run's end; when the batch is cancelled, cancels the run and still waits for its end.</summary>
    private async Task<RunInfo> FollowAsync(Run run, CancellationToken token)
    {
        try
        {
            while (true)
            {
                var changed = run.Changed;
                if (run.IsFinal)
                {
                    return run.ToInfo();
                }

                await changed.WaitAsync(token);
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            _runs.Cancel(run.Id, null);
            // Every run ends within moments of a cancel (and at its deadline in any case), so a
            // cancelled batch never leaves a run of its own behind.
            while (true)
            {
                var changed = run.Changed;
                if (run.IsFinal)
                {
                    return run.ToInfo();
                }

                await changed;
            }
        }
    }

    /// <summary>A run that failed, or was stopped by its deadline rather than by a person or the server.</summary>
    private static bool EndsTheBatch(RunInfo run) =>
        run.State == RunState.Failed
        || (run.State == RunState.Cancelled && run.Reason?.Key is not ("reason.cancelled" or "reason.cancelledBeforeStart" or "reason.shuttingDown"));

    private Task RunEnded
    {
        get
        {
            lock (_gate)
            {
                return _runEnded.Task;
            }
        }
    }

    // Any run that ends may free the room a waiting batch needs.
    private void OnRunChanged(Run run)
    {
        if (!run.IsFinal)
        {
            return;
        }

        TaskCompletionSource previous;
        lock (_gate)
        {
            previous = _runEnded;
            _runEnded = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        previous.TrySetResult();
    }

    private BatchStartResult Busy(Msg message) => new(null, StartRefusal.Busy, message, [], TimeSpan.FromSeconds(10));

    /// <summary>Stops taking batches and cancels the live ones; returns their work, to wait for (every call).</summary>
    private Task ShutDown()
    {
        List<Batch> live;
        lock (_gate)
        {
            if (_disposed)
            {
                // Stopped before (the host's stop, then its disposal): wait for the same batches.
                return Task.WhenAll(_batches.Values.Select(b => b.Execution));
            }

            _disposed = true;
            live = [.. _batches.Values.Where(b => !b.IsFinal)];
        }

        _runs.RunChanged -= OnRunChanged;
        foreach (var batch in live)
        {
            batch.StopReason = Msg.Of("reason.shuttingDown");
            batch.Cancellation.Cancel();
        }

        return Task.WhenAll(live.Select(b => b.Execution));
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>
    /// The host is stopping: cancels every live batch and waits for each to cancel its run, as
    /// long as the host's shutdown allows. The stop is awaited by whoever stops the host, unlike
    /// the disposal that follows it.
    /// </summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        try
        {
            await ShutDown().WaitAsync(ShutdownPatience, cancellationToken);
        }
        catch (Exception ex) when (ex is TimeoutException or OperationCanceledException)
        {
            // The run manager, disposed after, stops whatever is left.
        }
    }

    /// <summary>Cancels every live batch and waits briefly for each to cancel its run: nothing outlives the server.</summary>
    public void Dispose()
    {
        var work = ShutDown();
        try
        {
            work.Wait(ShutdownPatience);
        }
        catch (AggregateException ex)
        {
            Log.Failed(_logger, ex);
        }
    }

    public async ValueTask DisposeAsync()
    {
        var work = ShutDown();
        try
        {
            await work.WaitAsync(ShutdownPatience);
        }
        catch (TimeoutException)
        {
            // The run manager, disposed next, stops whatever is left.
        }
    }

    private static partial class Log
    {
        [LoggerMessage(LogLevel.Information, "Batch started: {Combinations} combination(s) × {Repeat} run(s), measuring {Measure}")]
        public static partial void Started(ILogger logger, int combinations, int repeat, string measure);

        [LoggerMessage(LogLevel.Debug, "Batch waits for room under the run caps: {Reason}")]
        public static partial void Waiting(ILogger logger, string reason);

        [LoggerMessage(LogLevel.Warning, "Batch stops: its run {RunId} ended {RunState}")]
        public static partial void RunEndedBatch(ILogger logger, string runId, RunState runState);

        [LoggerMessage(LogLevel.Information, "Batch ended {State} after {Done} of {Total} runs")]
        public static partial void Finished(ILogger logger, BatchState state, int done, int total);

        [LoggerMessage(LogLevel.Error, "Batch failed")]
        public static partial void Failed(ILogger logger, Exception exception);
    }
}
