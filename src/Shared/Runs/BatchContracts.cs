using System.Text.Json.Serialization;
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
/// <param name="Runs">Runs of this row that finished with a summary.</param>
/// <param name="Violated">Of those, the runs whose invariant was violated.</param>
/// <param name="Mean">The mean of the scenario's batch measure over those runs; null before the first.</param>
/// <param name="RunIds">Every run started for this row, in order.</param>
public sealed record BatchRow(
    IReadOnlyDictionary<string, string> Values,
    int Runs,
    int Violated,
    double? Mean,
    IReadOnlyList<string> RunIds);

/// <summary>A batch as the API and the page see it.</summary>
/// <param name="Done">Runs that have ended (in any state).</param>
/// <param name="Total">Runs the batch will start: rows × repeat.</param>
/// <param name="Measure">The run metric each row's mean is taken of.</param>
/// <param name="Reason">Why it failed or was cancelled.</param>
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
    DateTimeOffset? EndedAt);
