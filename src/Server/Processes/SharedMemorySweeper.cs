using Playground.Scenarios.Processes;

namespace Playground.Server.Processes;

/// <summary>
/// Removes what a server killed without warning (SIGKILL, power loss) left in /dev/shm — its runs'
/// shared queues and named semaphores ("pg-…", "sem.pg-…") — and in the temp directory: its runs'
/// own folders (a ticket store, "pg-…-tickets"). Runs in the normal case clean up
/// after themselves; this covers only the case where no code got to run. Every name records the
/// server that made it (<see cref="SharedNameOwner"/>: pid and start time), so an entry whose
/// server is gone is removed at once, whatever its age, and the entries of a live server (another
/// one on the same machine, or this one) are never touched. Names without an owner (made by an
/// older version) are removed only when no process has them open and they are over a minute old.
/// The first sweep runs before the server starts taking requests, then one every ten minutes.
/// </summary>
public sealed partial class SharedMemorySweeper(ILogger<SharedMemorySweeper> logger) : BackgroundService
{
    private const string SharedMemory = "/dev/shm";
    private static readonly TimeSpan MinimumAge = TimeSpan.FromMinutes(1);

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        SweepAndLog();
        return base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMinutes(10));
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                SweepAndLog();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private void SweepAndLog()
    {
        if (!OperatingSystem.IsLinux() || !Directory.Exists(SharedMemory))
        {
            return;
        }

        var removed = Sweep(DateTime.UtcNow - MinimumAge);
        if (removed.Count > 0)
        {
            Log.Removed(logger, removed.Count, string.Join(", ", removed.Take(20)));
        }
    }

    /// <summary>
    /// Deletes the entries of servers that are gone, and untagged entries that nobody has open and
    /// that were last written before <paramref name="olderThan"/>; returns their names.
    /// </summary>
    public static List<string> Sweep(DateTime olderThan)
    {
        var removed = new List<string>();
        var untagged = new List<string>();
        foreach (var path in Directory.EnumerateFiles(SharedMemory, "pg-*").Concat(Directory.EnumerateFiles(SharedMemory, "sem.pg-*")))
        {
            if (SharedNameOwner.TryParse(Path.GetFileName(path), out var pid, out var start))
            {
                if (!SharedNameOwner.IsAlive(pid, start))
                {
                    Delete(path, removed);
                }
            }
            else if (File.GetLastWriteTimeUtc(path) < olderThan)
            {
                untagged.Add(path);
            }
        }

        if (untagged.Count > 0)
        {
            var inUse = PathsInUse();
            foreach (var path in untagged.Where(p => !inUse.Contains(p)))
            {
                Delete(path, removed);
            }
        }

        SweepTempFolders(Path.GetTempPath(), removed);
        return removed;
    }

    /// <summary>
    /// Removes the runs' own folders in <paramref name="temp"/> ("pg-&lt;owner&gt;-&lt;run&gt;-tickets",
    /// a ticket store) whose server is gone. Folders carry the owner tag from their first day, so
    /// untagged ones are not ours and are left alone.
    /// </summary>
    public static void SweepTempFolders(string temp, List<string> removed)
    {
        if (!Directory.Exists(temp))
        {
            return;
        }

        foreach (var path in Directory.EnumerateDirectories(temp, "pg-*"))
        {
            if (!SharedNameOwner.TryParse(Path.GetFileName(path), out var pid, out var start) || SharedNameOwner.IsAlive(pid, start))
            {
                continue;
            }

            try
            {
                Directory.Delete(path, recursive: true);
                removed.Add(Path.GetFileName(path) + "/");
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
            }
        }
    }

    private static void Delete(string path, List<string> removed)
    {
        try
        {
            File.Delete(path);
            removed.Add(Path.GetFileName(path));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
        }
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
