using Microsoft.Extensions.Options;
using Playground.Server.Processes;

namespace Playground.Server.Runs;

/// <summary>Checks the "Runs" settings at start-up, naming each bad key.</summary>
public sealed class RunOptionsValidator : IValidateOptions<RunOptions>
{
    public ValidateOptionsResult Validate(string? name, RunOptions o)
    {
        var errors = new List<string>();
        Positive(errors, "Runs:MaxConcurrentRuns", o.MaxConcurrentRuns);
        Positive(errors, "Runs:MaxRunsPerClient", o.MaxRunsPerClient);
        Positive(errors, "Runs:MaxActorsPerRun", o.MaxActorsPerRun);
        Positive(errors, "Runs:MaxItemsPerRun", o.MaxItemsPerRun);
        Positive(errors, "Runs:MaxDurationSeconds", o.MaxDurationSeconds);
        Positive(errors, "Runs:MaxEventsPerRun", o.MaxEventsPerRun);
        Positive(errors, "Runs:ViewerCatchUpEvents", o.ViewerCatchUpEvents);
        Positive(errors, "Runs:RetentionMinutes", o.RetentionMinutes);
        Positive(errors, "Runs:MaxRetainedRuns", o.MaxRetainedRuns);
        Positive(errors, "Runs:MaxRetainedEvents", o.MaxRetainedEvents);
        Positive(errors, "Runs:ViewerEventsPerFrame", o.ViewerEventsPerFrame);
        Positive(errors, "Runs:ViewerFrameMilliseconds", o.ViewerFrameMilliseconds);
        Positive(errors, "Runs:ViewerWritesPerSecond", o.ViewerWritesPerSecond);
        Positive(errors, "Runs:MaxViewerFrameMilliseconds", o.MaxViewerFrameMilliseconds);
        Positive(errors, "Runs:ViewerStallSeconds", o.ViewerStallSeconds);
        Positive(errors, "Runs:MaxRunsPerAddress", o.MaxRunsPerAddress);
        Positive(errors, "Runs:DeadlineFactor", o.DeadlineFactor);
        Positive(errors, "Runs:MinDeadlineSeconds", o.MinDeadlineSeconds);
        Positive(errors, "Runs:StallSeconds", o.StallSeconds);
        if (!(o.FairShare > 0 && o.FairShare <= 1))
        {
            errors.Add("Runs:FairShare must be above 0 and at most 1 (got " + o.FairShare + ")");
        }
        if (o.MaxQueuedRuns < 0)
        {
            errors.Add("Runs:MaxQueuedRuns must be 0 or more (got " + o.MaxQueuedRuns + ")");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    internal static void Positive(List<string> errors, string key, double value)
    {
        if (!(value > 0))
        {
            errors.Add($"{key} must be greater than 0 (got {value})");
        }
    }
}

/// <summary>Checks the "Processes" settings at start-up, naming each bad key.</summary>
public sealed class ProcessOptionsValidator : IValidateOptions<ProcessOptions>
{
    public ValidateOptionsResult Validate(string? name, ProcessOptions o)
    {
        var errors = new List<string>();
        RunOptionsValidator.Positive(errors, "Processes:MaxProcessesPerRun", o.MaxProcessesPerRun);
        RunOptionsValidator.Positive(errors, "Processes:MaxProcessesTotal", o.MaxProcessesTotal);
        if (o.StopGraceMilliseconds < 0)
        {
            errors.Add("Processes:StopGraceMilliseconds must be 0 or more (got " + o.StopGraceMilliseconds + ")");
        }
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}

/// <summary>Checks the "Limits" settings at start-up, naming each bad key.</summary>
public sealed class LimitOptionsValidator : IValidateOptions<Limits.LimitOptions>
{
    public ValidateOptionsResult Validate(string? name, Limits.LimitOptions o)
    {
        var errors = new List<string>();
        RunOptionsValidator.Positive(errors, "Limits:MaxRequestBodyBytes", o.MaxRequestBodyBytes);
        RunOptionsValidator.Positive(errors, "Limits:EventsPageSize", o.EventsPageSize);
        RunOptionsValidator.Positive(errors, "Limits:MaxEventsPageSize", o.MaxEventsPageSize);
        RunOptionsValidator.Positive(errors, "Limits:MaxStreamsPerConnection", o.MaxStreamsPerConnection);
        RunOptionsValidator.Positive(errors, "Limits:StartsPerIdentity", o.StartsPerIdentity);
        RunOptionsValidator.Positive(errors, "Limits:StartsPerAddress", o.StartsPerAddress);
        RunOptionsValidator.Positive(errors, "Limits:StartWindowSeconds", o.StartWindowSeconds);
        RunOptionsValidator.Positive(errors, "Limits:TileBuckets", o.TileBuckets);
        RunOptionsValidator.Positive(errors, "Limits:MaxTileBuckets", o.MaxTileBuckets);
        RunOptionsValidator.Positive(errors, "Limits:MaxTileCells", o.MaxTileCells);
        RunOptionsValidator.Positive(errors, "Limits:MaxTileEvents", o.MaxTileEvents);
        RunOptionsValidator.Positive(errors, "Limits:MaxConcurrentTileQueries", o.MaxConcurrentTileQueries);
        RunOptionsValidator.Positive(errors, "Limits:MaxConcurrentExports", o.MaxConcurrentExports);
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}

/// <summary>Checks the "Batches" settings at start-up, naming each bad key.</summary>
public sealed class BatchOptionsValidator : IValidateOptions<Batches.BatchOptions>
{
    public ValidateOptionsResult Validate(string? name, Batches.BatchOptions o)
    {
        var errors = new List<string>();
        RunOptionsValidator.Positive(errors, "Batches:MaxRepeat", o.MaxRepeat);
        RunOptionsValidator.Positive(errors, "Batches:MaxCombinations", o.MaxCombinations);
        RunOptionsValidator.Positive(errors, "Batches:MaxRunsPerBatch", o.MaxRunsPerBatch);
        RunOptionsValidator.Positive(errors, "Batches:MaxEstimatedSeconds", o.MaxEstimatedSeconds);
        RunOptionsValidator.Positive(errors, "Batches:MaxBatchesPerClient", o.MaxBatchesPerClient);
        RunOptionsValidator.Positive(errors, "Batches:MaxBatchesPerAddress", o.MaxBatchesPerAddress);
        RunOptionsValidator.Positive(errors, "Batches:MaxLiveBatches", o.MaxLiveBatches);
        RunOptionsValidator.Positive(errors, "Batches:MaxRetainedBatches", o.MaxRetainedBatches);
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}

/// <summary>Checks the "Limits" settings of saved runs at start-up, naming each bad key.</summary>
public sealed class SavedRunLimitsValidator : IValidateOptions<Limits.LimitOptions>
{
    public ValidateOptionsResult Validate(string? name, Limits.LimitOptions o)
    {
        var errors = new List<string>();
        RunOptionsValidator.Positive(errors, "Limits:SavesPerAddress", o.SavesPerAddress);
        RunOptionsValidator.Positive(errors, "Limits:SaveWindowSeconds", o.SaveWindowSeconds);
        RunOptionsValidator.Positive(errors, "Limits:SavedRunsPageSize", o.SavedRunsPageSize);
        RunOptionsValidator.Positive(errors, "Limits:MaxSavedRunsPageSize", o.MaxSavedRunsPageSize);
        if (o.SavedRunsPageSize > o.MaxSavedRunsPageSize)
        {
            errors.Add($"Limits:SavedRunsPageSize ({o.SavedRunsPageSize}) must not be above Limits:MaxSavedRunsPageSize ({o.MaxSavedRunsPageSize})");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}

/// <summary>Checks the "Storage" settings at start-up, naming each bad key.</summary>
public sealed class StorageOptionsValidator : IValidateOptions<Storage.StorageOptions>
{
    public ValidateOptionsResult Validate(string? name, Storage.StorageOptions o)
    {
        var errors = new List<string>();
        RunOptionsValidator.Positive(errors, "Storage:MaxSavedRuns", o.MaxSavedRuns);
        RunOptionsValidator.Positive(errors, "Storage:MaxEventsPerSavedRun", o.MaxEventsPerSavedRun);
        RunOptionsValidator.Positive(errors, "Storage:CacheMegabytes", o.CacheMegabytes);
        RunOptionsValidator.Positive(errors, "Storage:SweepMinutes", o.SweepMinutes);
        if (!(o.MaxAgeDays >= 0) || double.IsInfinity(o.MaxAgeDays) || o.MaxAgeDays > 36_500)
        {
            errors.Add("Storage:MaxAgeDays must be from 0 (no age limit) to 36,500 (got " + o.MaxAgeDays + ")");
        }

        if (o.Path is { } path && path.IndexOfAny(Path.GetInvalidPathChars()) >= 0)
        {
            errors.Add("Storage:Path is not a valid file path (got " + path + ")");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
