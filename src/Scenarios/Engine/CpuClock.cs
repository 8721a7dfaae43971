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

    private static long Read(int clock) =>
        Available && LibC.ClockGetTime(clock, out var t) == 0 ? (t.Seconds * 1_000_000_000) + t.Nanoseconds : 0;
}
