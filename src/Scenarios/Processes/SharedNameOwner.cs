using System.Globalization;

namespace Playground.Scenarios.Processes;

/// <summary>
/// The owner recorded in every /dev/shm name a server creates for its runs:
/// <c>pg-&lt;pid&gt;.&lt;start&gt;-&lt;run&gt;-…</c>, the server's pid and its start time in clock ticks
/// since boot (from <c>/proc/&lt;pid&gt;/stat</c>). The pair names one process for the machine's
/// whole uptime, even where pids are reused (a restarted container's server is pid 1 again), so a
/// sweep can tell the entries of a dead server from those of a live one without guessing by age.
/// </summary>
public static class SharedNameOwner
{
    /// <summary>This process's tag, "pid.start".</summary>
    public static string Current { get; } = TagOf(Environment.ProcessId)
        ?? Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + ".0";

    /// <summary>The tag of a live process, or null when it is gone (or this is not Linux).</summary>
    public static string? TagOf(int pid) =>
        StartTime(pid) is { } start ? string.Create(CultureInfo.InvariantCulture, $"{pid}.{start}") : null;

    /// <summary>
    /// Reads the owner from an entry's file name ("pg-12.345-…" or "sem.pg-12.345-…").
    /// False for names without an owner tag.
    /// </summary>
    public static bool TryParse(string fileName, out int pid, out long start)
    {
        pid = 0;
        start = 0;
        var name = fileName.StartsWith("sem.", StringComparison.Ordinal) ? fileName[4..] : fileName;
        if (!name.StartsWith("pg-", StringComparison.Ordinal))
        {
            return false;
        }

        var end = name.IndexOf('-', 3);
        if (end < 0)
        {
            return false;
        }

        var tag = name.AsSpan(3, end - 3);
        var dot = tag.IndexOf('.');
        return dot > 0
            && int.TryParse(tag[..dot], NumberStyles.None, CultureInfo.InvariantCulture, out pid)
            && long.TryParse(tag[(dot + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out start);
    }

    /// <summary>True while the process that made the tag (same pid, same start time) runs.</summary>
    public static bool IsAlive(int pid, long start) => pid > 0 && StartTime(pid) == start;

    /// <summary>Field 22 of /proc/&lt;pid&gt;/stat: when the process started, in ticks since boot.</summary>
    public static long? StartTime(int pid)
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        string stat;
        try
        {
            stat = File.ReadAllText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/stat");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }

        // The command name (field 2) may hold spaces and parentheses: count fields after the last ')'.
        var close = stat.LastIndexOf(')');
        if (close < 0)
        {
            return null;
        }

        var fields = stat[(close + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        // fields[0] is field 3 (state), so field 22 is fields[19].
        return fields.Length > 19 && long.TryParse(fields[19], NumberStyles.None, CultureInfo.InvariantCulture, out var start)
            ? start
            : null;
    }
}
