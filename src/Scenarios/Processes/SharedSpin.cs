using System.Diagnostics;
using Playground.Scenarios.Primitives;

namespace Playground.Scenarios.Processes;

/// <summary>
/// Spinning before a process sleeps in the kernel, as glibc's adaptive mutexes and .NET's own
/// locks do: a wait that would end within a fraction of a millisecond ends without two system
/// calls (the sleep and the wake-up), and without the wake-up's delay, which on a virtual machine
/// is often a fifth of a millisecond. The caller first spins on the core for about 20 µs, then
/// keeps looking between yields of its core to anything else runnable, up to <see cref="Limit"/>.
/// Only on a machine with more than one core.
/// </summary>
internal static class SharedSpin
{
    /// <summary>How long the caller spins without yielding (to its first try past it).</summary>
    private static readonly long BusyLimit = Stopwatch.Frequency / 50_000; // 20 µs

    /// <summary>The longest one spin lasts before the caller goes to sleep.</summary>
    public static readonly long Limit = Stopwatch.Frequency / 5_000; // 200 µs

    public static bool Worthwhile { get; } = Environment.ProcessorCount > 1;

    /// <summary>
    /// Tries <paramref name="attempt"/> again and again for up to <see cref="Limit"/>; true once it
    /// succeeded. The tries come at least <paramref name="lookTicks"/> apart when given (a queue's
    /// <see cref="Primitives.QueueLooks.Interval"/>; the last may come sooner, at the limit), else
    /// about 0.75 µs apart while it spins and after each yield once it yields.
    /// </summary>
    public static bool Until<TState>(TState state, Func<TState, bool> attempt, long lookTicks = 0)
    {
        if (!Worthwhile)
        {
            return false;
        }

        var start = Stopwatch.GetTimestamp();
        var now = start;
        while (true)
        {
            var spent = now - start;
            if (spent >= Limit)
            {
                return false;
            }

            if (spent >= BusyLimit)
            {
                var look = Math.Min(now + lookTicks, start + Limit);
                do
                {
                    Thread.Yield();
                }
                while (lookTicks > 0 && Stopwatch.GetTimestamp() < look);
            }
            else if (lookTicks > 0)
            {
                QueueLooks.PauseUntil(now + lookTicks);
            }
            else
            {
                Thread.SpinWait(20);
            }

            if (attempt(state))
            {
                return true;
            }

            now = Stopwatch.GetTimestamp();
        }
    }
}

/// <summary>
/// A mutex in one 32-bit word of shared memory, for critical sections of a few instructions:
/// taken with one atomic instruction when free, spun on briefly when held, slept on in the kernel
/// (futex) only when the holder is slow. 0 = free, 1 = held, 2 = held with sleepers. A holder
/// that dies leaves it held, like the semaphore it replaces: the run's peers are stopped then.
/// </summary>
internal static unsafe class SharedMutex
{
    public static void Enter(int* word)
    {
        if (Interlocked.CompareExchange(ref *word, 1, 0) == 0)
        {
            return;
        }

        if (SharedSpin.Until((nint)word, static w => Volatile.Read(ref *(int*)w) == 0 && Interlocked.CompareExchange(ref *(int*)w, 1, 0) == 0))
        {
            return;
        }

        // Mark it contended; whoever leaves then wakes one sleeper.
        while (Interlocked.Exchange(ref *word, 2) != 0)
        {
            Futex.Sleep(word, 2, null);
        }
    }

    public static void Exit(int* word)
    {
        if (Interlocked.Exchange(ref *word, 0) == 2)
        {
            Futex.WakeOne(word);
        }
    }
}
