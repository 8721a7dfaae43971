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
