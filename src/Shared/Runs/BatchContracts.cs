using System.Text.Json.Serialization;
using Playground.Shared.Parameters;
using Playground.Shared.Text;

namespace Playground.Shared.Runs;

/// <summary>
/// A request to run one setup many times (POST /api/batches): <see cref="Parameters"/> as for a
/// run, each value list of <see cref="Vary"/> crossed with the others, each combination run
/// <see cref="Repeat"/> times.
/// </summary>
public sealed record BatchStartRequest(
    string Scenario,
    IReadOnlyDictionary<string, string?>? Parameters,
    IReadOnlyDictionary<string, IReadOnlyList<string>>? Vary,
    int Repeat);

/// <summary>The life of a batch.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<BatchState>))]
public enum BatchState
{
    [JsonStringEnumMemberName("queued")] Queued,
    [JsonStringEnumMemberName("running")] Running,
    [JsonStringEnumMemberName("completed")] Completed,
    [JsonStringEnumMemberName("cancelled")] Cancelled,
    [JsonStringEnumMemberName("failed")] Failed,
}

/// <summary>
/// One combination of varied values and what its runs gave.
/// </summary>
/// <param name="Values">The varied knobs' values of this row ({"lock": "none"}).</param>
/// <param name="Runs">Runs of this row that completed with a summary (not failed, not cut short).</param>
/// <param name="Violated">Of those, the runs whose invariant was violated.</param>
/// <param name="Mean">The mean of the scenario's batch measure over those runs; null before the first.</param>
/// <param name="RunIds">Every run started for this row, in order.</param>
/// <param name="Metrics">The mean of each metric its completed runs reported (wall time included, as "wallMs"), labelled as the runs label them; empty before the first.</param>
public sealed record BatchRow(
    IReadOnlyDictionary<string, string> Values,
    int Runs,
    int Violated,
    double? Mean,
    IReadOnlyList<string> RunIds,
    IReadOnlyList<RunMetric>? Metrics = null);

/// <summary>A batch as the API and the page see it.</summary>
/// <param name="Done">Runs that have ended (in any state).</param>
/// <param name="Total">Runs the batch will start: rows × repeat.</param>
/// <param name="Measure">The run metric each row's mean is taken of.</param>
/// <param name="Reason">Why it failed or was cancelled; while it waits for room under the run caps, why it waits.</param>
/// <param name="Parameters">The knobs it did not vary, as every one of its runs had them (canonical text).</param>
/// <param name="Vary">Each varied knob with its values, in the order the rows cross them.</param>
/// <param name="OtherCpuPercent">
/// How busy other work kept the machine while the runs ran, as CPU use in % (100 is one core),
/// averaged over the runs that report their own CPU time; null when none does or the machine's
/// clocks cannot be read. A speed comparison made while it is high is slower than the machine can be.
/// </param>
public sealed record BatchInfo(
    string Id,
    string Scenario,
    BatchState State,
    int Done,
    int Total,
    int Repeat,
    string Measure,
    IReadOnlyList<BatchRow> Rows,
    Msg? Reason,
    DateTimeOffset CreatedAt,
    DateTimeOffset? EndedAt,
    IReadOnlyDictionary<string, string>? Parameters = null,
    IReadOnlyDictionary<string, IReadOnlyList<string>>? Vary = null,
    double? OtherCpuPercent = null);

public static class BatchStates
{
    public static bool IsFinal(this BatchState s) => s is BatchState.Completed or BatchState.Cancelled or BatchState.Failed;
}

/// <summary>How large a batch may be on this server, so a form can say so before Start.</summary>
/// <param name="MaxRepeat">Runs of each combination, at most.</param>
/// <param name="MaxCombinations">Combinations of varied values, at most.</param>
/// <param name="MaxRuns">Runs of one batch in all (combinations × repeat), at most.</param>
/// <param name="MaxSeconds">The longest a batch may be estimated to take, all its runs together.</param>
public sealed record BatchLimits(int MaxRepeat, int MaxCombinations, int MaxRuns, double MaxSeconds);

/// <summary>The answer to a batch start: the batch, or why not (as for a run, with the fields at fault).</summary>
public sealed record BatchStartResult(
    BatchInfo? Batch,
    StartRefusal Refusal,
    Msg? Message,
    IReadOnlyList<ParameterError> Errors,
    TimeSpan? RetryAfter)
{
    public bool Accepted => Batch is not null;
}

/// <summary>
/// The server's batch service as components see it, in the circuit, like <see cref="IRunService"/>:
/// a batch started here belongs to whoever the service acts for, and so do its runs.
/// </summary>
public interface IBatchService
{
    BatchLimits Limits { get; }

    /// <summary>Checks every combination, then starts the batch; nothing starts when anything is wrong.</summary>
    BatchStartResult Start(BatchStartRequest request);

    /// <summary>Cancels a live batch of this client (and its current run); false when there is no such batch, it ended, or it is someone else's.</summary>
    bool Cancel(string batchId);

    BatchInfo? Get(string batchId);

    /// <summary>This client's batches the server remembers, newest first (a page reopened finds its live batch here).</summary>
    IReadOnlyList<BatchInfo> List();

    /// <summary>Yields the batch now and after every change, and ends after its final state.</summary>
    IAsyncEnumerable<BatchInfo> WatchAsync(string batchId, CancellationToken cancellationToken);
}

/// <summary>Measures every run has, whatever its scenario reports.</summary>
public static class BatchMeasures
{
    /// <summary>A run's wall time in ms: a batch's measure when its scenario names none, and a metric of every row.</summary>
    public const string WallMs = "wallMs";
}
