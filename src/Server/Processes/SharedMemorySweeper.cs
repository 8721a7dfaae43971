namespace Playground.Server.Processes;

/// <summary>
/// Removes what a server killed without warning (SIGKILL, power loss) left in /dev/shm: its runs'
/// shared queues and named semaphores ("pg-…", "sem.pg-…"). Runs in the normal case clean up
/// after themselves; this covers only the case where no code got to run. An entry is removed only
/// when no process has it mapped or open (read from /proc) and it is older than a minute, so a
/// run of another server on the same machine is never touched.
/// </summary>
public sealed partial class SharedMemorySweeper(ILogger<SharedMemorySweeper> logger) : BackgroundService
{
    private const string SharedMemory = "/dev/shm";
    private static readonly TimeSpan MinimumAge = TimeSpan.FromMinutes(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!OperatingSystem.IsLinux() || !Directory.Exists(SharedMemory))
        {
            return;
        }

        using var timer = new PeriodicTimer(TimeSpan.FromMinutes(10));
        try
        {
            do
            {
                var removed = Sweep(DateTime.UtcNow - MinimumAge);
                if (removed.Count > 0)
                {
                    Log.Removed(logger, removed.Count, string.Join(", ", removed));
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>Deletes stale entries last written before <paramref name="olderThan"/>; returns their names.</summary>
    public static List<string> Sweep(DateTime olderThan)
    {
        var candidates = Directory.EnumerateFiles(SharedMemory, "pg-*")
            .Concat(Directory.EnumerateFiles(SharedMemory, "sem.pg-*"))
            .Where(p => File.GetLastWriteTimeUtc(p) < olderThan)
            .ToList();
        var removed = new List<string>();
        if (candidates.Count == 0)
        {
            return removed;
        }

        var inUse = PathsInUse();
        foreach (var path in candidates)
        {
            if (inUse.Contains(path))
            {
                continue;
            }

            try
            {
                File.Delete(path);
                removed.Add(Path.GetFileName(path));
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
            }
        }

        return removed;
    }

    /// <summary>Every /dev/shm path some process has mapped or open.</summary>
    private static HashSet<string> PathsInUse()
    {
        var paths = new HashSet<string>(StringComparer.Ordinal);
        foreach (var proc in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(proc), out _))
            {
                continue;
            }

            try
            {
                foreach (var line in File.ReadLines(Path.Combine(proc, "maps")))
                {
                    var at = line.IndexOf(SharedMemory, StringComparison.Ordinal);
                    if (at >= 0)
                    {
                        paths.Add(line[at..].Replace(" (deleted)", "", StringComparison.Ordinal));
                    }
                }

                foreach (var fd in Directory.EnumerateFileSystemEntries(Path.Combine(proc, "fd")))
                {
                    if (new FileInfo(fd).LinkTarget is { } target && target.StartsWith(SharedMemory, StringComparison.Ordinal))
                    {
                        paths.Add(target);
                    }
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // A process that ended meanwhile, or one we may not inspect.
            }
        }

        return paths;
    }

    private static partial class Log
    {
        [LoggerMessage(LogLevel.Warning, "Removed {Count} stale shared-memory entries left by a server that was killed: {Names}")]
        public static partial void Removed(ILogger logger, int count, string names);
    }
}
