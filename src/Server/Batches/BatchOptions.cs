namespace Playground.Server.Batches;

/// <summary>Bounds on batches of repeated runs, bound from the "Batches" configuration section.</summary>
public sealed class BatchOptions
{
    public const string Section = "Batches";

    /// <summary>Runs of each combination a batch may ask for.</summary>
    public int MaxRepeat { get; set; } = 50;

    /// <summary>Combinations of varied values one batch may compare.</summary>
    public int MaxCombinations { get; set; } = 16;

    /// <summary>Runs one batch may start in all (combinations × repeat).</summary>
    public int MaxRunsPerBatch { get; set; } = 200;

    /// <summary>
    /// The longest a batch may be estimated to take (its runs' estimates added up): a batch holds
    /// one of its owner's run places for all that time.
    /// </summary>
    public double MaxEstimatedSeconds { get; set; } = 900;

    /// <summary>Batches one identity may have queued or running at once.</summary>
    public int MaxBatchesPerClient { get; set; } = 1;

    /// <summary>Batches all identities of one address may have queued or running at once.</summary>
    public int MaxBatchesPerAddress { get; set; } = 3;

    /// <summary>Batches queued or running on this server at once, whoever owns them.</summary>
    public int MaxLiveBatches { get; set; } = 16;

    /// <summary>Finished batches kept at most (each for as long as a finished run); the oldest go first.</summary>
    public int MaxRetainedBatches { get; set; } = 100;
}
