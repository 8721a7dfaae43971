namespace Playground.Server.Runs;

/// <summary>Caps on runs, bound from the "Runs" configuration section.</summary>
public sealed class RunOptions
{
    public const string Section = "Runs";

    /// <summary>Runs executing at once on this server; more wait in the queue.</summary>
    public int MaxConcurrentRuns { get; set; } = 4;

    /// <summary>Runs one client may have queued or running at once.</summary>
    public int MaxRunsPerClient { get; set; } = 2;

    /// <summary>Runs waiting for a free slot; past this, starts are refused with 429.</summary>
    public int MaxQueuedRuns { get; set; } = 16;

    /// <summary>Threads or processes one run may start.</summary>
    public int MaxActorsPerRun { get; set; } = 32;

    /// <summary>Work items one run may move.</summary>
    public long MaxItemsPerRun { get; set; } = 100_000;

    /// <summary>Deadline of a run: it is cancelled when it runs longer.</summary>
    public double MaxDurationSeconds { get; set; } = 60;

    /// <summary>Events kept per run; the rest are counted as truncated.</summary>
    public long MaxEventsPerRun { get; set; } = 2_000_000;

    /// <summary>How long a finished run stays readable (API, late viewers).</summary>
    public double RetentionMinutes { get; set; } = 30;

    /// <summary>Finished runs kept at most; the oldest go first.</summary>
    public int MaxRetainedRuns { get; set; } = 200;

    /// <summary>Events kept across all finished runs; past this the oldest finished runs are dropped first.</summary>
    public long MaxRetainedEvents { get; set; } = 20_000_000;

    /// <summary>Events sent to one viewer per frame before state changes are coalesced.</summary>
    public int ViewerEventsPerFrame { get; set; } = 5_000;

    /// <summary>Interval between two batches sent to a viewer.</summary>
    public int ViewerFrameMilliseconds { get; set; } = 50;
}
