using Playground.Scenarios.Engine;
using Playground.Scenarios.Recording;
using Playground.Server.Identity;
using Playground.Shared.Parameters;
using Playground.Shared.Runs;
using Playground.Shared.Text;

namespace Playground.Server.Runs;

/// <summary>
/// One run: its setup, state and recorded log. Mutated only under <see cref="Gate"/>; readers take
/// snapshots with <see cref="ToInfo"/>. Every change completes <see cref="Changed"/> and swaps in a
/// fresh signal, so watchers await changes instead of polling.
/// </summary>
public sealed class Run
{
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ActorInfo[] _actors;
    private int _version;
    private Msg? _stopReason;

    public Run(string id, IScenario scenario, ParameterValues values, RunPlan plan, IScenarioExecution execution, RunOwner owner)
    {
        Id = id;
        Scenario = scenario;
        Values = values;
        Plan = plan;
        Execution = execution;
        Owner = owner;
        CreatedAt = DateTimeOffset.UtcNow;
        _actors = execution.Actors.Select((a, i) => new ActorInfo(i, a.Name, a.Role, 0, null)).ToArray();
    }

    /// <summary>A run read back from the archive: final, with its log, owner and times as they were saved.</summary>
    private Run(string id, IScenario scenario, ParameterValues values, RunPlan plan, RunOwner owner, RunInfo saved)
    {
        Id = id;
        Scenario = scenario;
        Values = values;
        Plan = plan;
        Owner = owner;
        CreatedAt = saved.CreatedAt;
        _actors = [.. saved.Actors];
        Execution = new SavedExecution([.. saved.Actors.Select(a => new ActorSpec(a.Name, a.Role))]);
    }

    /// <summary>
    /// A saved run restored from the archive: it is final and never runs again; its log is
    /// <paramref name="recorder"/> (null when it never started) and it ended at
    /// <paramref name="endTimestamp"/> on that recorder's clock.
    /// </summary>
    public static Run Restored(IScenario scenario, ParameterValues values, RunOwner owner, RunInfo saved,
        EventRecorder? recorder, long? endTimestamp, bool usesProcesses)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        ArgumentNullException.ThrowIfNull(saved);
        if (!saved.State.IsFinal())
        {
            throw new ArgumentException($"A saved run is final, not {saved.State}.", nameof(saved));
        }

        var run = new Run(saved.Id, scenario, values, scenario.Plan(values), owner, saved) { UsesProcesses = usesProcesses };
        run.Recorder = recorder;
        run._endTimestamp = endTimestamp;
        run.State = saved.State;
        run.Reason = saved.Reason;
        run.Summary = saved.Summary;
        run.StartedAt = saved.StartedAt;
        run.EndedAt = saved.EndedAt;
        run.SavedAt = saved.SavedAt;
        run.Cancellation.Cancel();
        return run;
    }

    public object Gate { get; } = new();
    public string Id { get; }
    public IScenario Scenario { get; }
    public ParameterValues Values { get; }
    public RunPlan Plan { get; }
    public IScenarioExecution Execution { get; }
    /// <summary>Who started the run: only they may stop it.</summary>
    public RunOwner Owner { get; }
    public DateTimeOffset CreatedAt { get; }
    public DateTimeOffset? StartedAt { get; private set; }
    public DateTimeOffset? EndedAt { get; private set; }
    public RunState State { get; private set; } = RunState.Queued;
    public int? QueuePosition { get; private set; }
    public Msg? Reason { get; private set; }
    public RunSummary? Summary { get; private set; }
    public CancellationTokenSource Cancellation { get; } = new();

    /// <summary>True when someone asked to stop the run (as opposed to its deadline).</summary>
    public volatile bool CancelRequested;

    /// <summary>Why the server stopped the run itself (a stuck actor), when it did.</summary>
    public Msg? StopReason
    {
        get => Volatile.Read(ref _stopReason);
        set => Volatile.Write(ref _stopReason, value);
    }

    /// <summary>The run's deadline, set when it starts.</summary>
    public double DeadlineSeconds { get; set; }

    /// <summary>True for a run whose actors are child processes.</summary>
    public bool UsesProcesses { get; init; }

    /// <summary>When the run was saved to the archive; null while it is not.</summary>
    public DateTimeOffset? SavedAt { get; private set; }

    /// <summary>When the run ended on its recorder's clock (where its summary closed the lanes); null before, or if it never ran.</summary>
    public long? EndTimestamp
    {
        get
        {
            lock (Gate)
            {
                return _endTimestamp;
            }
        }
    }

    /// <summary>The log; null until the run starts.</summary>
    public EventRecorder? Recorder { get; private set; }

    private TileIndex? _tiles;
    private long? _endTimestamp;

    /// <summary>The level-of-detail index of the log, made on first use; null until the run starts.</summary>
    public TileIndex? Tiles
    {
        get
        {
            lock (Gate)
            {
                return Recorder is null ? null : _tiles ??= new TileIndex(Recorder, Scenario.Descriptor.Gauges);
            }
        }
    }

    /// <summary>
    /// The run's present in ns since its start: its wall time once it has ended, else now. A tile
    /// of the log holds no state past it.
    /// </summary>
    public long HorizonNanoseconds
    {
        get
        {
            lock (Gate)
            {
                if (Recorder is null)
                {
                    return 0;
                }

                // Once ended: exactly where its summary closed the lanes that never ended.
                return _endTimestamp is { } end ? Recorder.ToNanoseconds(end)
                    : IsFinal ? 0
                    : Recorder.ToNanoseconds(System.Diagnostics.Stopwatch.GetTimestamp());
            }
        }
    }

    /// <summary>Completes at the next change of state, queue position, actors or summary.</summary>
    public Task Changed
    {
        get
        {
            lock (Gate)
            {
                return _changed.Task;
            }
        }
    }

    /// <summary>The state now, and a number that changes whenever anything <see cref="ToInfo"/> shows changes.</summary>
    public (int Version, RunState State) Status
    {
        get
        {
            lock (Gate)
            {
                return (_version, State);
            }
        }
    }

    public bool IsFinal
    {
        get
        {
            lock (Gate)
            {
                return State.IsFinal();
            }
        }
    }

    public void SetQueuePosition(int? position)
    {
        lock (Gate)
        {
            if (QueuePosition == position)
            {
                return;
            }

            QueuePosition = position;
            Signal();
        }
    }

    public void MarkRunning(EventRecorder recorder)
    {
        lock (Gate)
        {
            Recorder = recorder;
            State = RunState.Running;
            QueuePosition = null;
            StartedAt = DateTimeOffset.UtcNow;
            Signal();
        }
    }

    public void SetActorIdentity(int actor, int pid, int threadId)
    {
        lock (Gate)
        {
            _actors[actor] = _actors[actor] with { Pid = pid, ThreadId = threadId };
            Signal();
        }
    }

    /// <summary>Moves to a final state once; later calls are ignored.</summary>
    /// <param name="endTimestamp">When the run ended on the recorder's clock (its summary's end), if it ran.</param>
    public bool Finish(RunState state, Msg? reason, RunSummary? summary, long? endTimestamp = null)
    {
        lock (Gate)
        {
            if (State.IsFinal())
            {
                return false;
            }

            _endTimestamp = endTimestamp;
            State = state;
            Reason = reason;
            Summary = summary;
            QueuePosition = null;
            EndedAt = DateTimeOffset.UtcNow;
            Signal();
            return true;
        }
    }

    /// <summary>Records that the run is saved (at <paramref name="savedAt"/>) or, with null, no longer saved.</summary>
    public void MarkSaved(DateTimeOffset? savedAt)
    {
        lock (Gate)
        {
            if (SavedAt == savedAt)
            {
                return;
            }

            SavedAt = savedAt;
            Signal();
        }
    }

    public RunInfo ToInfo()
    {
        lock (Gate)
        {
            return new RunInfo(Id, Scenario.Descriptor.Id, Values.Values, State, QueuePosition, Reason,
                CreatedAt, StartedAt, EndedAt, [.. _actors], Summary, SavedAt);
        }
    }

    private void Signal()
    {
        _version++;
        var previous = _changed;
        _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        previous.TrySetResult();
    }
}

/// <summary>What a restored run has in place of an execution: its actors, and nothing to run.</summary>
internal sealed class SavedExecution(IReadOnlyList<ActorSpec> actors) : IScenarioExecution
{
    public IReadOnlyList<ActorSpec> Actors { get; } = actors;

    public ScenarioOutcome Execute(EventRecorder recorder, IActorObserver observer, CancellationToken cancellationToken) =>
        throw new InvalidOperationException("A saved run has ended; it cannot be executed again.");
}
