using Playground.Scenarios.Engine;

namespace Playground.Scenarios.Tests;

/// <summary>The kernel's CPU clocks: a thread's own, and the whole machine's busy time.</summary>
public sealed class CpuClockTests
{
    [Fact]
    public void The_machines_busy_time_grows_at_least_by_the_cpu_a_thread_of_ours_burns_meanwhile()
    {
        Assert.True(CpuClock.Available, "the kernel's clocks are read on Linux, where the tests run");

        var machineBefore = CpuClock.MachineBusyMilliseconds();
        var threadBefore = CpuClock.ThreadNanoseconds();
        // Real work, not a wait: the thread's own CPU clock must advance by a good part of a tick or more.
        var x = 0.0;
        while (CpuClock.ThreadNanoseconds() - threadBefore < 200_000_000)
        {
            for (var i = 0; i < 10_000; i++)
            {
                x += Math.Sqrt(i + x);
            }
        }

        var ownMs = (CpuClock.ThreadNanoseconds() - threadBefore) / 1e6;
        var machineMs = CpuClock.MachineBusyMilliseconds() - machineBefore;

        Assert.True(x > 0);
        Assert.NotNull(machineMs);
        // /proc/stat counts in 10 ms ticks on every core; allow two ticks of rounding.
        Assert.True(machineMs >= ownMs - 20, $"the machine counted {machineMs} ms busy while this thread alone used {ownMs:0} ms");
    }
}
