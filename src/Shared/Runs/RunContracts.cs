using System.Text.Json.Serialization;
using Playground.Shared.Events;
using Playground.Shared.Parameters;
using Playground.Shared.Text;

namespace Playground.Shared.Runs;

/// <summary>The life of a run.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<RunState>))]
public enum RunState
{
    [JsonStringEnumMemberName("queued")] Queued,
    [JsonStringEnumMemberName("running")] Running,
    [JsonStringEnumMemberName("completed")] Completed,
    [JsonStringEnumMemberName("cancelled")] Cancelled,
    [JsonStringEnumMemberName("failed")] Failed,
}

public static class RunStates
{
    public static bool IsFinal(this RunState s) => s is RunState.Completed or RunState.Cancelled or RunState.Failed;
}

/// <summary>A request to run a scenario; parameter values are invariant text ("3", "0.2", "fifo").</summary>
public sealed record RunStartRequest(string Scenario, IReadOnlyDictionary<string, string?>? Parameters);

/// <summary>One actor of a run: its lane.</summary>
public sealed record ActorInfo(int Id, string Name, string Role, int Pid, int? ThreadId);

/// <summary>The invariant's verdict, with the evidence that supports it.</summary>
/// <param name="MarkedItems">Items the evidence is about (lost, duplicated), for the timeline to mark; at most a few hundred.</param>
/// <param name="Explanation">Why a violation happened, in plain words, shown next to the verdict.</param>
public sealed record Verdict(bool Held, Msg Invariant, IReadOnlyList<Msg> Evidence, IReadOnlyList<long>? MarkedItems = null, Msg? Explanation = null);

/// <summary>Per-actor figures of a finished run.</summary>
public sealed record ActorSummary(int Actor, string Name, string Role, long Count, double BusyMs, double BlockedMs, double SleepMs, long Waits, long Polls);

/// <summary>A named figure of the run ("maxDepth", "produced"...), with its label for people.</summary>
public sealed record RunMetric(string Name, Msg Label, double Value, Msg? Unit = null);

/// <summary>
/// The extremes of one gauge the scenario declares (<see cref="Catalog.GaugeSpec"/>), from the
/// recorded events that carry its level.
/// </summary>
/// <param name="Id">The gauge's id within its scenario ("depth").</param>
/// <param name="Style">"step" for a count, "band" for an on/off flag (levels 0 and 1).</param>
/// <param name="Label">The gauge's name for people.</param>
/// <param name="Readings">Recorded events that carried the gauge's level; 0 leaves the figures below at 0.</param>
/// <param name="MaxAtMs">When <paramref name="Max"/> was first reached, in ms since the run started.</param>
/// <param name="Limit">The limit line's value (capacity, permits), or null when the gauge has none (or it is 0, no limit).</param>
public sealed record GaugeSummary(
    string Id,
    string Style,
    Msg Label,
    long Readings,
    long Min,
    long Max,
    double MaxAtMs,
    long? Limit);

/// <summary>What a finished run measured.</summary>
public sealed record RunSummary(
    double WallMs,
    double Throughput,
    Msg ThroughputUnit,
    long EventCount,
    long TruncatedEvents,
    IReadOnlyList<ActorSummary> Actors,
    IReadOnlyList<RunMetric> Metrics,
    Verdict Verdict,
    IReadOnlyList<Msg> Notes,
    IReadOnlyList<GaugeSummary> Gauges);

/// <summary>A run as the API, the hub and the page see it.</summary>
/// <param name="SavedAt">When the run was saved (it then outlives the server's memory and restarts); null while it is not saved.</param>
public sealed record RunInfo(
    string Id,
    string Scenario,
    IReadOnlyDictionary<string, object> Parameters,
    RunState State,
    int? QueuePosition,
    Msg? Reason,
    DateTimeOffset CreatedAt,
    DateTimeOffset? StartedAt,
    DateTimeOffset? EndedAt,
    IReadOnlyList<ActorInfo> Actors,
    RunSummary? Summary,
    DateTimeOffset? SavedAt = null)
{
    /// <summary>True once the run is saved.</summary>
    public bool Saved => SavedAt is not null;
}

/// <summary>Why a start was not admitted.</summary>
public enum StartRefusal
{
    None,
    /// <summary>Bad scenario or parameter values; see the errors.</summary>
    Invalid,
    /// <summary>Over a cap that waiting will lift (retry later).</summary>
    Busy,
    /// <summary>Over a hard limit (too many actors, too long a run); change the setup.</summary>
    TooLarge,
}

/// <summary>The answer to a start request.</summary>
public sealed record StartResult(
    RunInfo? Run,
    StartRefusal Refusal,
    Msg? Message,
    IReadOnlyList<ParameterError> Errors,
    TimeSpan? RetryAfter)
{
    public bool Accepted => Run is not null;
}

/// <summary>
/// A slice of a run's event stream. When more happens in a frame than a viewer is sent, state
/// changes are coalesced to the last per actor and <see cref="Coalesced"/> says how many were left out.
/// </summary>
/// <param name="Seq">
/// The frame of the run's live stream this batch brings the viewer up to: frames the hub sends live
/// (<see cref="IRunClient.Events"/>) count up from 1; a viewer's own catch-up batches carry the
/// number of the frame they catch up to. A live batch whose number is not above the last one
/// received is already covered. 0 for a run read after its end.
/// </param>
public sealed record EventBatch(
    string RunId,
    IReadOnlyList<RunEventDto> Events,
    long Coalesced,
    RunState State,
    RunInfo? Run,
    bool Final,
    long Seq = 0);

/// <summary>A cap a setup goes over, and the knobs that put it there.</summary>
public sealed record SetupLimit(Msg Text, IReadOnlyList<string> Fields);

/// <summary>The size of a valid setup, shown before Run, with every cap it goes over.</summary>
/// <param name="EstimatedSeconds">A rough lower bound of the run's wall time.</param>
public sealed record SetupCheck(int Actors, long Items, double EstimatedSeconds, IReadOnlyList<SetupLimit> Limits);

/// <summary>Calls the server makes on a hub client.</summary>
public interface IRunClient
{
    /// <summary>A run this client started or watches changed state (queued position, running, final).</summary>
    Task RunChanged(RunInfo run);

    /// <summary>
    /// A frame of a run this client streams (StreamEvents), sent live: the same bytes to every
    /// viewer at the live edge. The stream itself brings the catch-up before it.
    /// </summary>
    Task Events(EventBatch batch);
}

/// <summary>
/// The server's run service as components see it: they call it directly, in the circuit, not
/// through HTTP to their own host.
/// </summary>
public interface IRunService
{
    IReadOnlyList<Catalog.ScenarioDescriptor> Scenarios { get; }

    /// <summary>
    /// Starts a run for whoever this service acts for (in a page, the circuit's verified identity
    /// cookie): it owns the run and counts toward the caps.
    /// </summary>
    StartResult Start(RunStartRequest request);

    /// <summary>The size of a setup and the caps it goes over; null when the scenario or a value is not valid.</summary>
    SetupCheck? Check(RunStartRequest request);

    /// <summary>Cancels a queued or running run of this client; false when there is no such run, it already ended, or it is someone else's.</summary>
    bool Cancel(string runId);

    RunInfo? Get(string runId);

    /// <summary>True when the run is this client's own: only then may it stop (or save, or delete) it.</summary>
    bool IsOwn(string runId);

    /// <summary>Yields the run now and after every change, and ends after its final state.</summary>
    IAsyncEnumerable<RunInfo> WatchAsync(string runId, CancellationToken cancellationToken);
}

/// <summary>
/// One page of a run's recorded log (GET /api/runs/{id}/events?from=&amp;limit=), merged in time
/// order. <see cref="Next"/> is the cursor of the following page; null once the run has ended and
/// nothing is left. A page of a running run may end early: ask again with the cursor.
/// </summary>
public sealed record EventPage(IReadOnlyList<Events.RunEventDto> Events, string? Next);
