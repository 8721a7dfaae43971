namespace Playground.Shared.Runs;

/// <summary>
/// A saved run as POST /api/runs/{id}/save answers and GET /api/saved-runs lists it. The run itself
/// (its actors, summary and log) is read through the run API with the same id, live or saved.
/// </summary>
/// <param name="Permalink">The page of the run: "/runs/{id}".</param>
/// <param name="Held">The invariant's verdict: true held, false broken, null when the run has none (it never finished).</param>
/// <param name="WallMs">The run's wall time, when it has a summary.</param>
/// <param name="EventCount">Events in its saved log.</param>
/// <param name="Bytes">The size of its saved log on disk (compressed blocks).</param>
public sealed record SavedRunInfo(
    string Id,
    string Scenario,
    string Permalink,
    IReadOnlyDictionary<string, object> Parameters,
    RunState State,
    bool? Held,
    double? WallMs,
    long EventCount,
    long Bytes,
    DateTimeOffset CreatedAt,
    DateTimeOffset? StartedAt,
    DateTimeOffset? EndedAt,
    DateTimeOffset SavedAt)
{
    /// <summary>The page a saved (or live) run is shown on.</summary>
    public static string PermalinkOf(string id) => "/runs/" + id;
}

/// <summary>One page of saved runs, newest saved first (GET /api/saved-runs?scenario=&amp;page=&amp;size=).</summary>
/// <param name="Page">The page, from 1.</param>
/// <param name="Total">Saved runs in the whole listing.</param>
public sealed record SavedRunPage(IReadOnlyList<SavedRunInfo> Items, int Page, int Size, long Total);

/// <summary>What a save from a page came to: the saved run, or why it was not saved.</summary>
public sealed record SaveAnswer(SavedRunInfo? Saved, Text.Msg? Reason);

/// <summary>
/// Saved runs as the pages use them, for whoever the page acts for (the circuit's identity): save
/// one's own finished run, list one's own saved runs, delete one's own.
/// </summary>
public interface ISavedRunService
{
    Task<SaveAnswer> SaveAsync(string runId, CancellationToken cancellationToken);

    /// <summary>The caller's own saved runs, newest saved first; <paramref name="scenario"/> null for every scenario.</summary>
    SavedRunPage List(string? scenario, int page, int size);

    /// <summary>Deletes the caller's own saved run; false when there is none or it is someone else's.</summary>
    bool Delete(string runId);
}
