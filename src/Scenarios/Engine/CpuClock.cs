using Playground.Scenarios.Processes;

namespace Playground.Scenarios.Engine;

/// <summary>
/// CPU time really spent, as the kernel counts it: by the calling thread
/// (CLOCK_THREAD_CPUTIME_ID) or by the whole process, every thread of it
/// (CLOCK_PROCESS_CPUTIME_ID). Time spent blocked or asleep is not CPU time. Linux only: elsewhere
/// <see cref="Available"/> is false and the readings are 0.
/// </summary>
public static class CpuClock
{
    public static bool Available { get; } = OperatingSystem.IsLinux();

    /// <summary>Nanoseconds of CPU the calling thread has used so far.</summary>
    public static long ThreadNanoseconds() => Read(LibC.CLOCK_THREAD_CPUTIME_ID);

    /// <summary>Nanoseconds of CPU this process (all its threads) has used so far.</summary>
    public static long ProcessNanoseconds() => Read(LibC.CLOCK_PROCESS_CPUTIME_ID);

    /// <summary>
    /// Milliseconds of CPU the whole machine has spent busy so far, every core and every process
    /// added up (the first line of /proc/stat, less idle and I/O wait); null where it cannot be read.
    /// Two readings around a run, less the run's own CPU time, tell how much other work competed
    /// with it for the cores. Null too when this process may use only some of the machine's cores
    /// (a container's CPU limit, an affinity mask): the rest of the machine's work would not compete.
    /// </summary>
    public static double? MachineBusyMilliseconds()
    {
        if (!Available)
        {
            return null;
        }

        try
        {
            using var reader = new StreamReader("/proc/stat");
            var line = reader.ReadLine();
            if (line is null || !line.StartsWith("cpu ", StringComparison.Ordinal))
            {
                return null;
            }

            // cpu user nice system idle iowait irq softirq steal ...: in USER_HZ ticks, 100 a second
            // in the kernel's ABI on every architecture .NET runs on.
            var cores = 0;
            while (reader.ReadLine() is { } next && next.StartsWith("cpu", StringComparison.Ordinal))
            {
                cores++;
            }

            if (cores != Environment.ProcessorCount)
            {
                return null;
            }

            var fields = line[4..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            long Field(int i) => i < fields.Length && long.TryParse(fields[i], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var v) ? v : 0;
            var busy = Field(0) + Field(1) + Field(2) + Field(5) + Field(6) + Field(7);
            return busy * 10.0;
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static long Read(int clock) =>
        Available && LibC.ClockGetTime(clock, out var t) == 0 ? (t.Seconds * 1_000_000_000) + t.Nanoseconds : 0;
}
