using System.Diagnostics;
using System.Globalization;

namespace Playground.Tests.Common;

/// <summary>
/// CPU the rest of the machine used during a run: every core's busy time (/proc/stat) less this
/// process's and its reaped children's, grandchildren included (/proc/self/stat). Linux only.
/// </summary>
internal static class OtherLoad
{
    // USER_HZ: the unit of both files on every Linux architecture the worker runs on.
    private const double TicksPerSecond = 100;

    public static (long Busy, long Own, long At) Mark()
    {
        try
        {
            var cpu = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1)
                .Select(t => long.Parse(t, CultureInfo.InvariantCulture)).ToArray();
            // user, nice, system, irq, softirq, steal: idle and iowait are not busy.
            var busy = cpu[0] + cpu[1] + cpu[2] + cpu[5] + cpu[6] + cpu[7];
            var self = File.ReadAllText("/proc/self/stat");
            var fields = self[(self.LastIndexOf(')') + 2)..].Split(' ');
            // utime, stime, cutime, cstime: fields 14 to 17, counted from the pid.
            var own = fields.Skip(11).Take(4).Sum(t => long.Parse(t, CultureInfo.InvariantCulture));
            return (busy, own, Stopwatch.GetTimestamp());
        }
        catch (IOException)
        {
            return (-1, -1, Stopwatch.GetTimestamp());
        }
    }

    /// <summary>Waits until a second passes in which other processes use fewer than <paramref name="cores"/> cores, or <paramref name="limit"/> runs out; returns how long it waited.</summary>
    public static TimeSpan Settle(double cores, TimeSpan limit)
    {
        var waiting = Stopwatch.StartNew();
        while (waiting.Elapsed < limit)
        {
            var from = Mark();
            Thread.Sleep(1000);
            var used = Cores(from, Mark());
            if (double.IsNaN(used) || used < cores)
            {
                break;
            }
        }

        return waiting.Elapsed;
    }

    public static double Cores((long Busy, long Own, long At) from, (long Busy, long Own, long At) to)
    {
        var seconds = Stopwatch.GetElapsedTime(from.At, to.At).TotalSeconds;
        return from.Busy < 0 || to.Busy < 0 || seconds <= 0
            ? double.NaN
            : Math.Max(0, (to.Busy - from.Busy) - (to.Own - from.Own)) / TicksPerSecond / seconds;
    }
}
