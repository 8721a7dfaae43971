using Microsoft.Extensions.Options;
using Playground.Scenarios.Engine;
using Playground.Scenarios.Recording;
using Playground.Server.Identity;
using Playground.Server.Runs;
using Playground.Shared.Parameters;
using Playground.Shared.Runs;
using Playground.Shared.Text;

namespace Playground.Server.Storage;

/// <summary>
/// Saved runs as the rest of the server sees them: saving a finished run (its owner only, within the
/// size cap), reading one back as a <see cref="Run"/> that every run endpoint serves as it served the
/// live one, listing, deleting, and retention. Runs read back are kept in memory within a bound, the
/// least recently used going first; a run asked for by many requests at once is read once.
/// </summary>
public sealed partial class SavedRuns
{
    private readonly IRunArchive _archive;
    private readonly ScenarioRegistry _scenarios;
    private readonly StorageOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<SavedRuns> _logger;
    // One save at a time: each holds a run's encoded log in memory until it is written.
    private readonly SemaphoreSlim _saving = new(1, 1);

    private readonly object _gate = new();
    private readonly Dictionary<string, LinkedListNode<Cached>> _cache = new(StringComparer.Ordinal);
    private readonly LinkedList<Cached> _recent = new();
    private readonly Dictionary<string, Lazy<Run?>> _loading = new(StringComparer.Ordinal);
    private long _cachedBytes;

    public SavedRuns(IRunArchive archive, ScenarioRegistry scenarios, IOptions<StorageOptions> options, TimeProvider time, ILogger<SavedRuns> logger)
    {
        _archive = archive;
        _scenarios = scenarios;
        _options = options.Value;
        _time = time;
        _logger = logger;
    }

    /// <summary>
    /// Saves <paramref name="run"/> for <paramref name="by"/>: refused unless they own it, it has
    /// ended and its log is within the cap. Saving a run that is saved already changes nothing and
    /// answers as the first save did.
    /// </summary>
    public async Task<SaveResult> SaveAsync(Run run, RunOwner by, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(by);
        if (run.Owner.Identity != by.Identity)
        {
            return new SaveResult(SaveOutcome.NotOwner, null, Msg.Of("save.notOwner", ("id", run.Id)));
        }

        var info = run.ToInfo();
        if (!info.State.IsFinal())
        {
            return new SaveResult(SaveOutcome.NotFinished, null,
                Msg.Of("save.notFinished", ("id", run.Id), ("state", Msg.Of("state." + info.State.ToString().ToLowerInvariant()))));
        }

        var events = run.Recorder?.Count ?? 0;
        if (events > _options.MaxEventsPerSavedRun)
        {
            return new SaveResult(SaveOutcome.TooLarge, null,
                Msg.Of("save.tooLarge", ("id", run.Id), ("events", events), ("max", _options.MaxEventsPerSavedRun)));
        }

        await _saving.WaitAsync(cancellationToken);
        try
        {
            if (_archive.Find(run.Id) is { } existing)
            {
                run.MarkSaved(existing.SavedAt);
                return new SaveResult(SaveOutcome.AlreadySaved, InfoOf(existing), null);
            }

            // Kept to the millisecond, as the archive keeps it: the live run and the saved one say the same.
            var savedAt = DateTimeOffset.FromUnixTimeMilliseconds(_time.GetUtcNow().ToUnixTimeMilliseconds());
            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            var log = run.Recorder is { } recorder ? RunLogBlocks.Pack(recorder, run.EndTimestamp) : null;
            var archived = new ArchivedRun(info with { SavedAt = savedAt }, run.Owner.Identity, run.Owner.Address, run.UsesProcesses, log);
            if (!_archive.Save(archived))
            {
                // Saved meanwhile by another server on the same database.
                var other = _archive.Find(run.Id);
                run.MarkSaved(other?.SavedAt);
                return other is null
                    ? new SaveResult(SaveOutcome.Conflict, null, Msg.Of("save.vanished", ("id", run.Id)))
                    : new SaveResult(SaveOutcome.AlreadySaved, InfoOf(other), null);
            }

            Log.Saved(_logger, run.Id, info.Scenario, log?.EventCount ?? 0, log?.Bytes ?? 0,
                System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            run.MarkSaved(savedAt);
            Sweep();
            return new SaveResult(SaveOutcome.Created, _archive.Find(run.Id) is { } entry ? InfoOf(entry) : null, null);
        }
        finally
        {
            _saving.Release();
        }
    }

    /// <summary>A saved run read back (from memory when it was read lately); null when no run with this id is saved.</summary>
    public Run? Find(string id)
    {
        if (!RunIds.IsWellFormed(id))
        {
            return null;
        }

        Lazy<Run?> load;
        lock (_gate)
        {
            if (_cache.TryGetValue(id, out var node))
            {
                _recent.Remove(node);
                _recent.AddFirst(node);
                return node.Value.Run;
            }

            if (!_loading.TryGetValue(id, out load!))
            {
                load = new Lazy<Run?>(() => Load(id), LazyThreadSafetyMode.ExecutionAndPublication);
                _loading[id] = load;
            }
        }

        try
        {
            var run = load.Value;
            if (run is not null)
            {
                Keep(run);
            }

            return run;
        }
        finally
        {
            lock (_gate)
            {
                if (_loading.TryGetValue(id, out var current) && current == load)
                {
                    _loading.Remove(id);
                }
            }
        }
    }

    /// <summary>A saved run's entry, or null.</summary>
    public SavedRunInfo? Get(string id) => RunIds.IsWellFormed(id) && _archive.Find(id) is { } entry ? InfoOf(entry) : null;

    /// <summary>One page of <paramref name="owner"/>'s saved runs, of one scenario when given, newest saved first.</summary>
    public SavedRunPage List(string? scenario, RunOwner owner, int page, int size)
    {
        ArgumentNullException.ThrowIfNull(owner);
        var found = _archive.List(scenario, owner.Identity, page, size);
        return new SavedRunPage([.. found.Entries.Select(InfoOf)], page, size, found.Total);
    }

    /// <summary>Deletes a saved run for <paramref name="by"/>, who must own it.</summary>
    public DeleteOutcome Delete(string id, RunOwner by)
    {
        ArgumentNullException.ThrowIfNull(by);
        if (!RunIds.IsWellFormed(id) || _archive.Find(id) is not { } entry)
        {
            return DeleteOutcome.Unknown;
        }

        if (entry.OwnerIdentity != by.Identity)
        {
            return DeleteOutcome.NotOwner;
        }

        var deleted = _archive.Delete(id);
        Forget([id]);
        return deleted ? DeleteOutcome.Deleted : DeleteOutcome.Unknown;
    }

    /// <summary>Applies retention (age and count) now; returns the runs removed.</summary>
    public int Sweep()
    {
        var removed = _archive.Sweep();
        Forget(removed);
        if (removed.Count > 0)
        {
            Log.Swept(_logger, removed.Count);
        }

        return removed.Count;
    }

    private static SavedRunInfo InfoOf(ArchiveEntry e) => new(e.Id, e.Scenario, SavedRunInfo.PermalinkOf(e.Id), e.Parameters, e.State, e.Held,
        e.WallMs, e.EventCount, e.Bytes, e.CreatedAt, e.StartedAt, e.EndedAt, e.SavedAt);

    private Run? Load(string id)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        try
        {
            if (_archive.Load(id) is not { } saved)
            {
                return null;
            }

            var info = saved.Info;
            if (!_scenarios.TryGet(info.Scenario, out var scenario))
            {
                Log.UnknownScenario(_logger, id, info.Scenario);
                return null;
            }

            // The saved values were valid when the run started; read through the same validation, they come back as they were.
            var text = info.Parameters.ToDictionary(kv => kv.Key, kv => (string?)ParameterValues.ToText(kv.Value), StringComparer.Ordinal);
            var values = ParameterValidator.Validate(scenario.Descriptor, text).Values;
            long? end = null;
            var recorder = saved.Log is { } log ? RunLogBlocks.Restore(log, out end) : null;
            var run = Run.Restored(scenario, values, new RunOwner(saved.OwnerIdentity, saved.OwnerAddress), info, recorder, end, saved.UsesProcesses);
            Log.Loaded(_logger, id, recorder?.Count ?? 0, System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            return run;
        }
        catch (Exception ex) when (ex is InvalidDataException or System.Text.Json.JsonException)
        {
            // A damaged record is logged and reads as no run, rather than failing every request for it.
            Log.Unreadable(_logger, id, ex);
            return null;
        }
    }

    private void Keep(Run run)
    {
        var bytes = MemoryOf(run.Recorder);
        lock (_gate)
        {
            if (_cache.ContainsKey(run.Id))
            {
                return;
            }

            _cache[run.Id] = _recent.AddFirst(new Cached(run, bytes));
            _cachedBytes += bytes;
            var budget = (long)_options.CacheMegabytes * 1024 * 1024;
            // The run just read stays even when it alone is over the budget: the next page of it is asked for at once.
            while (_cachedBytes > budget && _recent.Last is { } oldest && oldest != _recent.First)
            {
                _recent.RemoveLast();
                _cache.Remove(oldest.Value.Run.Id);
                _cachedBytes -= oldest.Value.Bytes;
            }
        }
    }

    private void Forget(IEnumerable<string> ids)
    {
        lock (_gate)
        {
            foreach (var id in ids)
            {
                if (_cache.Remove(id, out var node))
                {
                    _recent.Remove(node);
                    _cachedBytes -= node.Value.Bytes;
                }
            }
        }
    }

    // The log's room (16 bytes a slot, reserved a chunk at a time per actor) and its tile index (about 3 bytes an event).
    private static long MemoryOf(EventRecorder? recorder)
    {
        if (recorder is null)
        {
            return 4096;
        }

        var counts = Enumerable.Range(0, recorder.ActorCount).Select(a => (long)recorder[a].Count).ToList();
        return 4096 + (EventRecorder.CapacityFor(counts) * 16) + (recorder.Count * 4);
    }

    private sealed record Cached(Run Run, long Bytes);

    private static partial class Log
    {
        [LoggerMessage(LogLevel.Information, "Run {RunId} of {Scenario} saved: {Events} events in {Bytes} bytes, {Milliseconds:0} ms")]
        public static partial void Saved(ILogger logger, string runId, string scenario, long events, long bytes, double milliseconds);

        [LoggerMessage(LogLevel.Information, "Saved run {RunId} read back: {Events} events, {Milliseconds:0} ms")]
        public static partial void Loaded(ILogger logger, string runId, long events, double milliseconds);

        [LoggerMessage(LogLevel.Information, "Retention removed {Count} saved runs")]
        public static partial void Swept(ILogger logger, int count);

        [LoggerMessage(LogLevel.Warning, "Saved run {RunId} is of scenario {Scenario}, which this server does not have")]
        public static partial void UnknownScenario(ILogger logger, string runId, string scenario);

        [LoggerMessage(LogLevel.Error, "Saved run {RunId} could not be read back")]
        public static partial void Unreadable(ILogger logger, string runId, Exception exception);
    }
}

/// <summary>What became of a save request.</summary>
public enum SaveOutcome
{
    Created,
    AlreadySaved,
    NotOwner,
    NotFinished,
    TooLarge,
    /// <summary>Saved and deleted elsewhere at the same moment (another server on the same database).</summary>
    Conflict,
}

/// <summary>The answer to a save: the saved run, or why it was not saved.</summary>
public sealed record SaveResult(SaveOutcome Outcome, SavedRunInfo? Saved, Msg? Reason);

/// <summary>What became of a delete request.</summary>
public enum DeleteOutcome
{
    Deleted,
    Unknown,
    NotOwner,
}
