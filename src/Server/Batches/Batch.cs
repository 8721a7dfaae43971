using System.Globalization;
using Playground.Server.Identity;
using Playground.Shared.Runs;
using Playground.Shared.Text;

namespace Playground.Server.Batches;

/// <summary>What the whole machine's cores spent busy while one run ran, and for how long it ran, in ms.</summary>
public sealed record MachineLoad(double BusyMs, double ElapsedMs);

/// <summary>One combination of a batch: its varied values and the request each of its runs makes.</summary>
public sealed record BatchCombination(IReadOnlyDictionary<string, string> Values, RunStartRequest Request);

/// <summary>
/// One batch: its combinations, state and tallies. Mutated only under its own lock; readers take
/// snapshots with <see cref="ToInfo"/>. Every change completes <see cref="Changed"/> and swaps in a
/// fresh signal, as a run does, so watchers await changes instead of polling.
/// </summary>
public sealed class Batch
{
    private readonly object _gate = new();
    private readonly Row[] _rows;
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Batch(string id, string scenario, RunOwner owner, int repeat, string measure, IReadOnlyList<BatchCombination> combinations, DateTimeOffset createdAt)
        : this(id, scenario, owner, repeat, measure, combinations, createdAt, new Dictionary<string, string>(), new Dictionary<string, IReadOnlyList<string>>())
    {
    }

    public Batch(string id, string scenario, RunOwner owner, int repeat, string measure, IReadOnlyList<BatchCombination> combinations, DateTimeOffset createdAt,
        IReadOnlyDictionary<string, string> parameters, IReadOnlyDictionary<string, IReadOnlyList<string>> vary)
    {
        Parameters = parameters;
        Vary = vary;
        Id = id;
        Scenario = scenario;
        Owner = owner;
        Repeat = repeat;
        Measure = measure;
        Combinations = combinations;
        CreatedAt = createdAt;
        _rows = [.. combinations.Select(c => new Row(c.Values))];
    }

    public string Id { get; }
    public string Scenario { get; }
    /// <summary>Who started the batch: they own its runs, and only they may stop it.</summary>
    public RunOwner Owner { get; }
    public int Repeat { get; }
    /// <summary>The run metric each row averages ("wallMs" when the scenario names none).</summary>
    public string Measure { get; }
    public IReadOnlyList<BatchCombination> Combinations { get; }
    /// <summary>The knobs the batch does not vary, as all its runs have them.</summary>
    public IReadOnlyDictionary<string, string> Parameters { get; }
    /// <summary>Each varied knob with its values.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> Vary { get; }
    public int Total => _rows.Length * Repeat;
    public DateTimeOffset CreatedAt { get; }
    public CancellationTokenSource Cancellation { get; } = new();

    /// <summary>Why the batch is being stopped, once its owner or the server asked (null until then).</summary>
    public Msg? StopReason
    {
        get
        {
            lock (_gate)
            {
                return _stopReason;
            }
        }

        set
        {
            lock (_gate)
            {
                _stopReason ??= value;
            }
        }
    }

    /// <summary>The batch's own work, from its first start attempt to its final state.</summary>
    public Task Execution { get; set; } = Task.CompletedTask;

    public BatchState State
    {
        get
        {
            lock (_gate)
            {
                return _state;
            }
        }
    }

    public bool IsFinal => State.IsFinal();

    public DateTimeOffset? EndedAt
    {
        get
        {
            lock (_gate)
            {
                return _endedAt;
            }
        }
    }

    /// <summary>Completes at the next change of state, progress or tallies.</summary>
    public Task Changed
    {
        get
        {
            lock (_gate)
            {
                return _changed.Task;
            }
        }
    }

    private BatchState _state = BatchState.Queued;
    private int _done;
    private Msg? _reason;
    private DateTimeOffset? _endedAt;
    private Msg? _stopReason;
    private double _otherBusyMs;
    private double _loadElapsedMs;

    /// <summary>The run metric with a run's own CPU time in ms, the part of the machine's busy time that was the run itself.</summary>
    public const string OwnCpuMetric = "cpuMs";

    private const double MinLoadSpanMs = 1000;

    /// <summary>The batch waits for room under the run caps; <paramref name="reason"/> says which cap.</summary>
    public void Waiting(Msg? reason)
    {
        lock (_gate)
        {
            if (_state.IsFinal() || SameText(_reason, reason))
            {
                return;
            }

            _reason = reason;
            Signal();
        }
    }

    /// <summary>A run of row <paramref name="row"/> was admitted: the batch is running.</summary>
    public void RunStarted(int row, string runId)
    {
        lock (_gate)
        {
            _rows[row].RunIds.Add(runId);
            if (!_state.IsFinal())
            {
                _state = BatchState.Running;
                _reason = null;
            }

            Signal();
        }
    }

    /// <summary>
    /// A run of row <paramref name="row"/> ended. It counts as done in any state; only a completed
    /// run with a summary counts toward the row's share and mean.
    /// </summary>
    /// <param name="load">
    /// The machine's busy CPU time over the run, when it could be read: less the run's own CPU time
    /// (its "cpuMs", when it reports one), the rest is other work that competed for the cores.
    /// </param>
    public void RunEnded(int row, RunInfo run, MachineLoad? load = null)
    {
        lock (_gate)
        {
            _done++;
            if (run is { State: RunState.Completed, Summary: { } summary })
            {
                if (load is { ElapsedMs: > 0 } && summary.Metrics.FirstOrDefault(m => m.Name == OwnCpuMetric) is { } own)
                {
                    // Signed: a run whose own CPU the coarse machine clock under-counts evens out another's.
                    _otherBusyMs += load.BusyMs - own.Value;
                    _loadElapsedMs += load.ElapsedMs;
                }

                var r = _rows[row];
                r.Runs++;
                r.Violated += summary.Verdict.Held ? 0 : 1;
                if (MeasureOf(summary, Measure) is { } value)
                {
                    r.Sum += value;
                    r.Measured++;
                }

                r.Add(summary);
            }

            Signal();
        }
    }

    /// <summary>Moves to a final state once; later calls are ignored.</summary>
    public bool Finish(BatchState state, Msg? reason, DateTimeOffset endedAt)
    {
        lock (_gate)
        {
            if (_state.IsFinal())
            {
                return false;
            }

            _state = state;
            _reason = reason;
            _endedAt = endedAt;
            Signal();
            return true;
        }
    }

    public BatchInfo ToInfo()
    {
        lock (_gate)
        {
            var rows = _rows.Select(r => new BatchRow(r.Values, r.Runs, r.Violated,
                r.Measured == 0 ? null : Math.Round(r.Sum / r.Measured, 3), [.. r.RunIds], r.Means())).ToList();
            // The machine's clock counts in 10 ms steps on each core: over less than a second in all it says nothing.
            // Two clocks read a moment apart can put the share past what the cores can give: cut it there.
            double? others = _loadElapsedMs >= MinLoadSpanMs
                ? Math.Clamp(Math.Round(100 * _otherBusyMs / _loadElapsedMs), 0, 100 * Environment.ProcessorCount)
                : null;
            return new BatchInfo(Id, Scenario, _state, _done, Total, Repeat, Measure, rows, _reason, CreatedAt, _endedAt, Parameters, Vary, others);
        }
    }

    /// <summary>The value of <paramref name="measure"/> in a run's summary: one of its metrics, or its wall time.</summary>
    public static double? MeasureOf(RunSummary summary, string measure) =>
        summary.Metrics.FirstOrDefault(m => m.Name == measure)?.Value
        ?? (measure == BatchManager.WallMs ? summary.WallMs : null);

    private static bool SameText(Msg? a, Msg? b) =>
        a?.Format(CultureInfo.InvariantCulture) == b?.Format(CultureInfo.InvariantCulture);

    private void Signal()
    {
        var previous = _changed;
        _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        previous.TrySetResult();
    }

    private sealed class Row(IReadOnlyDictionary<string, string> values)
    {
        public IReadOnlyDictionary<string, string> Values { get; } = values;
        public List<string> RunIds { get; } = [];
        public int Runs { get; set; }
        public int Violated { get; set; }
        public double Sum { get; set; }
        public int Measured { get; set; }

        // Per metric: its first label and unit, the sum of its values and how many runs had it.
        private readonly List<(RunMetric First, double Sum, int Count)> _metrics = [];

        /// <summary>Adds a completed run's metrics, and its wall time when the scenario reports none of its own.</summary>
        public void Add(RunSummary summary)
        {
            IEnumerable<RunMetric> metrics = summary.Metrics;
            if (!summary.Metrics.Any(m => m.Name == BatchManager.WallMs))
            {
                metrics = metrics.Prepend(new RunMetric(BatchManager.WallMs, Msg.Of("batch.measure.wallMs"), summary.WallMs, Msg.Of("unit.ms")));
            }

            foreach (var metric in metrics)
            {
                var i = _metrics.FindIndex(m => m.First.Name == metric.Name);
                if (i < 0)
                {
                    _metrics.Add((metric, metric.Value, 1));
                }
                else
                {
                    _metrics[i] = (_metrics[i].First, _metrics[i].Sum + metric.Value, _metrics[i].Count + 1);
                }
            }
        }

        public List<RunMetric> Means() =>
            [.. _metrics.Select(m => m.First with { Value = Math.Round(m.Sum / m.Count, 3) })];
    }
}
