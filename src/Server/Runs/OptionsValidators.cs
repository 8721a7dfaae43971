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
        Positive(errors, "Runs:RetentionMinutes", o.RetentionMinutes);
        Positive(errors, "Runs:MaxRetainedRuns", o.MaxRetainedRuns);
        Positive(errors, "Runs:MaxRetainedEvents", o.MaxRetainedEvents);
        Positive(errors, "Runs:ViewerEventsPerFrame", o.ViewerEventsPerFrame);
        Positive(errors, "Runs:ViewerFrameMilliseconds", o.ViewerFrameMilliseconds);
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
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
