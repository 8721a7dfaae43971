namespace Playground.Server.Runs;

/// <summary>Caps on runs, bound from the "Runs" configuration section.</summary>
public sealed class RunOptions
{
    public const string Section = "Runs";

    /// <summary>Runs executing at once on this server; more wait in the queue.</summary>
    public int MaxConcurrentRuns { get; set; } = 4;

    /// <summary>Runs one client (one identity) may have queued or running at once.</summary>
    public int MaxRunsPerClient { get; set; } = 2;

    /// <summary>Runs all identities of one address may have queued or running at once.</summary>
    public int MaxRunsPerAddress { get; set; } = 6;

    /// <summary>
    /// The share of the queue, and of the child-process budget, one identity or one address may
    /// hold at most, so others can always get in.
    /// </summary>
    public double FairShare { get; set; } = 0.5;

    /// <summary>Runs waiting for a free slot; past this, starts are refused with 429.</summary>
    public int MaxQueuedRuns { get; set; } = 16;

    /// <summary>
    /// Actors (threads, tasks or processes) one run may start; processes mode has its own, lower cap
    /// as well. The seeds' own numbers fit, such as the semaphore's 100 cars.
    /// </summary>
    public int MaxActorsPerRun { get; set; } = 200;

    /// <summary>Work items one run may move.</summary>
    public long MaxItemsPerRun { get; set; } = 100_000;

    /// <summary>The longest deadline of a run, and the longest estimate admitted.</summary>
    public double MaxDurationSeconds { get; set; } = 60;

    /// <summary>A run's deadline is this multiple of its estimated duration (within the bounds below and above).</summary>
    public double DeadlineFactor { get; set; } = 3;

    /// <summary>The shortest deadline a run gets, however quick its estimate.</summary>
    public double MinDeadlineSeconds { get; set; } = 30;

    /// <summary>
    /// An actor that records nothing for this long (or longer than its longest step) while it is
    /// not blocked, or a run in which no actor records anything for this long, is stuck: the run ends.
    /// </summary>
    public double StallSeconds { get; set; } = 10;

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

    /// <summary>
    /// Once a run has ended, a viewer with more than this many events still to receive (one who
    /// came late to a long run) gets none of them: the final batch alone, counting them as left out,
    /// and the page draws the run from its tiles instead.
    /// </summary>
    public int ViewerCatchUpEvents { get; set; } = 50_000;

    /// <summary>Interval between two frames of a run's live stream (with few viewers; see <see cref="ViewerWritesPerSecond"/>).</summary>
    public int ViewerFrameMilliseconds { get; set; } = 50;

    /// <summary>
    /// How many frame writes a second one run's broadcast makes to all its viewers together. With
    /// more viewers than fit at <see cref="ViewerFrameMilliseconds"/>, frames come less often and
    /// carry more events each, up to <see cref="MaxViewerFrameMilliseconds"/> apart: a crowd costs
    /// the server writes, not lag.
    /// </summary>
    public int ViewerWritesPerSecond { get; set; } = 10_000;

    /// <summary>The longest interval between two live frames, however many watch.</summary>
    public int MaxViewerFrameMilliseconds { get; set; } = 250;

    /// <summary>Events one viewer is sent in a frame <paramref name="interval"/> apart: the same rate as at the base interval.</summary>
    public int FrameBudget(TimeSpan interval) =>
        (int)Math.Clamp(Math.Max(1, ViewerEventsPerFrame) * interval.TotalMilliseconds / Math.Max(1, ViewerFrameMilliseconds), 1, int.MaxValue);

    /// <summary>The interval between two live frames of a run that <paramref name="viewers"/> watch.</summary>
    public TimeSpan FrameInterval(int viewers)
    {
        var frame = Math.Max(1, ViewerFrameMilliseconds);
        var forWrites = viewers * 1000.0 / Math.Max(1, ViewerWritesPerSecond);
        return TimeSpan.FromMilliseconds(Math.Max(frame, Math.Min(Math.Max(frame, MaxViewerFrameMilliseconds), forWrites)));
    }

    /// <summary>
    /// A viewer whose writes make no progress for this long (it stopped reading) is disconnected;
    /// until then it is skipped, never queued for: it costs at most one frame in flight.
    /// </summary>
    public double ViewerStallSeconds { get; set; } = 10;
}
