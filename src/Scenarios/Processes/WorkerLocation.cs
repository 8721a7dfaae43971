using System.Diagnostics;

namespace Playground.Scenarios.Processes;

/// <summary>Finds the worker program and checks that it runs.</summary>
public static class WorkerLocation
{
    /// <summary>
    /// Looks for the worker at <paramref name="configured"/>, else in the "worker" folder next to
    /// this program (where build/Worker.targets puts it), and probes it with --probe.
    /// </summary>
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
                ? (command, Describe(command, path))
                : (null, $"the worker at {path} does not run: {probe}");
        }

        return (null, "the worker program was not found (looked for " + string.Join(", ", candidates) +
            "); build the solution, or set Processes:WorkerPath");
    }

    /// <summary>Which flavour was found, in words: the start-up of every child depends on it.</summary>
    private static string Describe(WorkerCommand command, string path) => command.Flavour == "native"
        ? $"native (NativeAOT) worker at {path}"
        : $"framework-dependent worker at {path}, run by {command.FileName} (a child starts in about 100 ms; the NativeAOT worker, built where clang is installed, in about 7 ms)";

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

        // A native (NativeAOT) worker has no managed dll beside it; the launcher of a
        // framework-dependent build does, and is run through its dll. The launcher's name is the
        // dll's without ".dll" ("Playground.Worker"), so the dll's is the launcher's plus ".dll".
        var dll = path + ".dll";
        return File.Exists(dll) ? new WorkerCommand(DotnetHost(), [dll], "framework") : new WorkerCommand(path, [], "native");
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

        // .../dotnet/shared/Microsoft.NETCore.App/10.0.x/ → .../dotnet/dotnet
        var runtimeDir = System.Runtime.InteropServices.RuntimeEnvironment.GetRuntimeDirectory();
        var guess = string.IsNullOrEmpty(runtimeDir) ? null : Path.GetFullPath(Path.Combine(runtimeDir, "..", "..", "..", "dotnet"));
        return guess is not null && File.Exists(guess) ? guess : "dotnet";
    }

    /// <summary>Runs the worker with --probe; null when it answered "ok".</summary>
    private static string? Probe(WorkerCommand command)
    {
        try
        {
            using var process = Process.Start(command.StartInfo(["--probe"], redirectInput: false, redirectError: true))!;
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
