using Playground.Scenarios.Processes;

namespace Playground.Server.Processes;

/// <summary>Where the child program is, bound from the "Processes" configuration section.</summary>
public sealed class ProcessOptions
{
    public const string Section = "Processes";

    /// <summary>Path of the worker (a native executable or Playground.Worker.dll); empty = look next to the server.</summary>
    public string? WorkerPath { get; set; }

    /// <summary>
    /// Child processes one run may hold (its actors and the holder of its process group): enough for
    /// the tutorials' own numbers, a hundred semaphore cars or a hundred processes, one per task.
    /// </summary>
    public int MaxProcessesPerRun { get; set; } = 128;

    /// <summary>Child processes of all runs at once; one owner may hold half of them (the fair share).</summary>
    public int MaxProcessesTotal { get; set; } = 256;

    /// <summary>How long children get to exit after SIGTERM before they are killed with SIGKILL.</summary>
    public int StopGraceMilliseconds { get; set; } = 500;
}

/// <summary>
/// Finds the worker once at start-up and checks that it runs ("--probe"), so a missing or broken
/// worker is a clear message in the log and in /healthz, never a failure in the middle of a run.
/// </summary>
public sealed class WorkerLocator
{
    private readonly Lazy<(WorkerCommand? Command, string Status)> _found;

    public WorkerLocator(Microsoft.Extensions.Options.IOptions<ProcessOptions> options, ILogger<WorkerLocator> logger)
    {
        _found = new Lazy<(WorkerCommand?, string)>(() =>
        {
            var result = WorkerLocation.Locate(options.Value.WorkerPath);
            if (result.Command is null)
            {
                logger.LogError("Processes mode is unavailable: {Reason}", result.Status);
            }
            else
            {
                logger.LogInformation("Worker for processes mode: {Status}", result.Status);
            }

            return result;
        });
    }

    /// <summary>The worker, or null when it is missing or does not run.</summary>
    public WorkerCommand? Command => _found.Value.Command;

    /// <summary>What was found, or why not, for people.</summary>
    public string Status => _found.Value.Status;
}

/// <summary>/healthz: degraded (still 200) when processes mode is unavailable, with the reason.</summary>
public sealed class WorkerHealthCheck(WorkerLocator worker) : Microsoft.Extensions.Diagnostics.HealthChecks.IHealthCheck
{
    public Task<Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckResult> CheckHealthAsync(
        Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(worker.Command is null
            ? Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckResult.Degraded("processes mode unavailable: " + worker.Status)
            : Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckResult.Healthy(worker.Status));
}
