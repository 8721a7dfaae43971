using System.Diagnostics;
using Playground.Scenarios.Processes;

namespace Playground.Server.Processes;

/// <summary>Where the child program is, bound from the "Processes" configuration section.</summary>
public sealed class ProcessOptions
{
    public const string Section = "Processes";

    /// <summary>Path of the worker (a native executable or Playground.Worker.dll); empty = look next to the server.</summary>
    public string? WorkerPath { get; set; }

    /// <summary>Child processes one run may start.</summary>
    public int MaxProcessesPerRun { get; set; } = 32;

    /// <summary>Child processes of all runs at once.</summary>
    public int MaxProcessesTotal { get; set; } = 64;
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
            var result = Locate(options.Value.WorkerPath);
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

    public static (WorkerCommand? Command, string Status) Locate(string? configured)
    {
        var candidates = new List<string>();
        if (!string.IsNullOrWhiteSpace(configured))
        {
            candidates.Add(configured);
        }
        else
        {
            var dir = Path.Combine(AppContext.BaseDirectory, "worker");
            candidates.Add(Path.Combine(dir, "Playground.Worker.dll"));
            candidates.Add(Path.Combine(dir, "Playground.Worker"));
        }

        foreach (var path in candidates)
        {
            var command = ToCommand(path);
            if (command is null)
            {
                continue;
            }

            var probe = Probe(command);
            return probe is null
                ? (command, $"{command.Flavour} worker at {path}")
                : (null, $"the worker at {path} does not run: {probe}");
        }

        return (null, "the worker program was not found (looked for " + string.Join(", ", candidates) +
            "); build the solution, or set Processes:WorkerPath");
    }

    private static WorkerCommand? ToCommand(string path)
    {
        if (!File.Exists(path))
        {
            return null;
        }

        if (path.EndsWith(".dll", StringComparison.OrdinalIgnoreCase))
        {
            return new WorkerCommand(DotnetHost(), [path], "framework");
        }

        // A native (NativeAOT) worker has no managed dll beside it.
        return File.Exists(Path.ChangeExtension(path, ".dll")) ? null : new WorkerCommand(path, [], "native");
    }

    private static string DotnetHost()
    {
        var self = Environment.ProcessPath;
        if (self is not null && Path.GetFileNameWithoutExtension(self) == "dotnet")
        {
            return self;
        }

        var root = Environment.GetEnvironmentVariable("DOTNET_ROOT");
        if (!string.IsNullOrEmpty(root) && File.Exists(Path.Combine(root, "dotnet")))
        {
            return Path.Combine(root, "dotnet");
        }

        var runtimeDir = Path.GetDirectoryName(typeof(object).Assembly.Location);
        // .../dotnet/shared/Microsoft.NETCore.App/10.0.x/ → .../dotnet/dotnet
        var guess = runtimeDir is null ? null : Path.GetFullPath(Path.Combine(runtimeDir, "..", "..", "..", "dotnet"));
        return guess is not null && File.Exists(guess) ? guess : "dotnet";
    }

    /// <summary>Runs the worker with --probe; null when it answered "ok".</summary>
    private static string? Probe(WorkerCommand command)
    {
        try
        {
            var info = new ProcessStartInfo(command.FileName)
            {
                UseShellExecute = false,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            foreach (var a in command.PrefixArguments)
            {
                info.ArgumentList.Add(a);
            }

            info.ArgumentList.Add("--probe");
            using var process = Process.Start(info)!;
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(TimeSpan.FromSeconds(15)))
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit();
                return "it did not answer within 15 s";
            }

            return process.ExitCode == 0 && output.Result == "ok"
                ? null
                : $"exit code {process.ExitCode}: {error.Result.Trim()}";
        }
        catch (Exception ex) when (ex is System.ComponentModel.Win32Exception or IOException or InvalidOperationException)
        {
            return ex.Message;
        }
    }
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
