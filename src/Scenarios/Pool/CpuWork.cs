using System.Diagnostics;
using System.Runtime.CompilerServices;
using Playground.Scenarios.Engine;

namespace Playground.Scenarios.Pool;

/// <summary>
/// The real computation of a CPU-bound task: a chain of integer hash steps, each depending on the
/// one before, so no compiler can skip it and no core can help another with it. How many steps
/// take a second on one core is measured once per server process, on first use, and handed to
/// child processes through the run's shared memory: every worker of a run does the same steps for
/// the same task, wherever it runs. A task never spins until a clock says stop — under an emulated
/// GIL that would make waiting threads look as if they had worked.
/// </summary>
public static class CpuWork
{
    /// <summary>CPython's switch interval (sys.getswitchinterval()): a thread waiting for the GIL asks for it after this long.</summary>
    public const double SwitchIntervalSeconds = 0.005;

    /// <summary>How often a computing worker looks up from its work (cancellation, a GIL hand-over due).</summary>
    public const double SliceSeconds = 0.001;

    private static readonly Lazy<long> Calibration = new(Calibrate, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>Steps of <see cref="Spin"/> one core of this machine does in a second, measured on first use.</summary>
    public static long IterationsPerSecond => Calibration.Value;

    /// <summary>Runs <paramref name="iterations"/> steps of the hash chain from <paramref name="state"/> and returns where it ended.</summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    public static ulong Spin(ulong state, long iterations)
    {
        for (long i = 0; i < iterations; i++)
        {
            state = (state * 6364136223846793005UL) + 1442695040888963407UL;
            state ^= state >> 29;
        }

        return state;
    }

    /// <summary>Where task <paramref name="task"/>'s chain starts.</summary>
    public static ulong StartOf(int task) => unchecked(((ulong)task + 1) * 0x9E3779B97F4A7C15UL);

    /// <summary>A chain's end folded to the 32 bits a result carries.</summary>
    public static uint Fold(ulong state) => unchecked((uint)(state ^ (state >> 32)));

    /// <summary>
    /// The fastest of a few short trials, timed on the thread's own CPU clock where the kernel has
    /// one, so a trial that was preempted does not count as slow. AggressiveOptimization compiles
    /// <see cref="Spin"/> fully optimized from its first call, here and in every child.
    /// </summary>
    private static long Calibrate()
    {
        const long Trial = 2_000_000;
        var sink = Spin(1, Trial / 10);
        var best = long.MaxValue;
        for (var i = 0; i < 9; i++)
        {
            var before = Now();
            sink = Spin(sink | 1, Trial);
            var took = Now() - before;
            if (took > 0 && took < best)
            {
                best = took;
            }
        }

        return best == long.MaxValue ? 100_000_000 : Math.Max(1, (long)(Trial * 1e9 / best));
    }

    private static long Now() => CpuClock.Available
        ? CpuClock.ThreadNanoseconds()
        : (long)(Stopwatch.GetTimestamp() * (1e9 / Stopwatch.Frequency));
}
