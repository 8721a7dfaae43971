using System.Diagnostics;

namespace Playground.Scenarios.Primitives;

/// <summary>
/// How long a caller spinning on a full (or empty) queue waits between two looks at it, in both
/// flavours (<see cref="MonitorQueue"/> for threads, the shared ring queue for processes).
/// </summary>
internal static class QueueLooks
{
    /// <summary>
    /// About what the peer needs to fill (or empty) the whole buffer: 150 ns a slot, from 300 ns
    /// for the smallest queues up to 10 µs (also for an unbounded one). Each look takes the
    /// queue's cache line from the peer's core, and the peer must take it back for its next put
    /// or get: looking every few hundred ns, the spinner made nearly every operation of a busy
    /// peer pay for that trip. Left alone, the peer does a run of puts (or gets) on a line it
    /// keeps. On the 2-core speed benchmark, with one producer and one consumer at capacity 64
    /// and the machine's slow trips between its cores, threads went from 1.8–1.9 M items/s
    /// (looks a few hundred ns apart) to 2.6–2.9 M. The price: a spinning caller of a large queue
    /// sees what it waits for up to one look late, at most 10 µs (still less than a sleeping
    /// thread's wake-up, 15–40 µs on a quiet machine).
    /// </summary>
    /// <param name="capacity">The queue's capacity, 0 for unbounded.</param>
    /// <returns><see cref="Stopwatch"/> ticks.</returns>
    public static long Interval(int capacity)
    {
        var slots = capacity == 0 ? int.MaxValue : capacity;
        var ns = Math.Clamp(150.0 * slots, 300, 10_000);
        return Math.Max(1, (long)(ns * Stopwatch.Frequency / 1e9));
    }

    /// <summary>Pauses on the core (never yields) until the clock reaches <paramref name="look"/>; returns the time then.</summary>
    public static long PauseUntil(long look)
    {
        long now;
        do
        {
            Thread.SpinWait(4);
            now = Stopwatch.GetTimestamp();
        }
        while (now < look);
        return now;
    }
}
