namespace Playground.Scenarios.Processes;

/// <summary>How to start the child program: a native executable, or "dotnet Playground.Worker.dll".</summary>
/// <param name="FileName">The program to execute.</param>
/// <param name="PrefixArguments">Arguments before the actor's own (the dll path for dotnet).</param>
/// <param name="Flavour">"native" (NativeAOT) or "framework" (framework-dependent).</param>
public sealed record WorkerCommand(string FileName, IReadOnlyList<string> PrefixArguments, string Flavour)
{
    /// <summary>How to start the worker with <paramref name="arguments"/>: stdout always piped (a child's life, the holder's answer).</summary>
    public System.Diagnostics.ProcessStartInfo StartInfo(IEnumerable<string> arguments, bool redirectInput, bool redirectError)
    {
        var info = new System.Diagnostics.ProcessStartInfo(FileName)
        {
            UseShellExecute = false,
            RedirectStandardInput = redirectInput,
            RedirectStandardOutput = true,
            RedirectStandardError = redirectError,
        };
        foreach (var a in PrefixArguments.Concat(arguments))
        {
            info.ArgumentList.Add(a);
        }

        return info;
    }
}

/// <summary>What a run needs from its host beyond the knobs.</summary>
/// <param name="RunId">Goes into every name the run creates (semaphores, shared memory).</param>
/// <param name="Worker">The child program, for processes mode; null when it was not found.</param>
public sealed record RunEnvironment(string RunId, WorkerCommand? Worker)
{
    /// <summary>
    /// What the run's shared names carry ("pg-&lt;key&gt;-queue"): the owner tag of this server, then
    /// the run id, so a later sweep can tell whether the server that made them still runs.
    /// </summary>
    public string SharedKey => SharedNameOwner.Current + "-" + RunId;

    /// <summary>How long children get after SIGTERM before they are killed with SIGKILL.</summary>
    public TimeSpan StopGrace { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>For runs that never start a process (tests of threads mode).</summary>
    public static RunEnvironment ThreadsOnly(string runId = "local") => new(runId, null);
}
