namespace Playground.Server.Limits;

/// <summary>Bounds on what one caller may ask of the server, bound from the "Limits" section.</summary>
public sealed class LimitOptions
{
    public const string Section = "Limits";

    /// <summary>Largest body of a run API request; a larger one is answered 413 before it is read.</summary>
    public int MaxRequestBodyBytes { get; set; } = 64 * 1024;

    /// <summary>Events in one page of GET /api/runs/{id}/events when the caller gives no limit.</summary>
    public int EventsPageSize { get; set; } = 10_000;

    /// <summary>The largest page a caller may ask for.</summary>
    public int MaxEventsPageSize { get; set; } = 50_000;

    /// <summary>Buckets of GET /api/runs/{id}/tiles when the caller gives no number: about a screen's width.</summary>
    public int TileBuckets { get; set; } = 1_000;

    /// <summary>The most buckets one tiles query may ask for.</summary>
    public int MaxTileBuckets { get; set; } = 8_000;

    /// <summary>Buckets × lanes of one tiles query, at most: a run with many lanes gets fewer buckets.</summary>
    public int MaxTileCells { get; set; } = 200_000;

    /// <summary>Tiles queries the server answers at once, all runs together; more wait their turn.</summary>
    public int MaxConcurrentTileQueries { get; set; } = 4;

    /// <summary>Trace and CSV exports the server writes at once, all runs together; more wait their turn.</summary>
    public int MaxConcurrentExports { get; set; } = 2;

    /// <summary>A tiles query lists the window's raw events when it holds at most this many.</summary>
    public int MaxTileEvents { get; set; } = 5_000;

    /// <summary>StreamEvents calls one hub connection may have open at once.</summary>
    public int MaxStreamsPerConnection { get; set; } = 4;

    /// <summary>Run starts one identity may make per window (hub and page; the REST API counts per address).</summary>
    public int StartsPerIdentity { get; set; } = 10;

    /// <summary>Run starts one address may make per window, all identities and entry points together.</summary>
    public int StartsPerAddress { get; set; } = 30;

    /// <summary>The window of the two start limits.</summary>
    public double StartWindowSeconds { get; set; } = 10;

    /// <summary>Saves (POST /api/runs/{id}/save) one address may make per <see cref="SaveWindowSeconds"/>.</summary>
    public int SavesPerAddress { get; set; } = 10;

    /// <summary>The window of the save limit.</summary>
    public double SaveWindowSeconds { get; set; } = 60;

    /// <summary>Saved runs in one page of GET /api/saved-runs when the caller gives no size.</summary>
    public int SavedRunsPageSize { get; set; } = 20;

    /// <summary>The largest page of saved runs a caller may ask for.</summary>
    public int MaxSavedRunsPageSize { get; set; } = 100;
}
