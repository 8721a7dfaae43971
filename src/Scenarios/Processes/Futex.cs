using System.ComponentModel;
using System.Diagnostics;

namespace Playground.Scenarios.Processes;

/// <summary>
/// Sleeping in the kernel until a 32-bit word of shared memory changes: Linux's futex, the
/// mechanism under glibc's sem_wait and pthread mutexes. Waiters and wakers only need to map the
/// same file. Unlike a semaphore, a wake-up posts no token that a later waiter could take: each
/// waiter checks the word itself, so it passes only for the change it was waiting for.
/// </summary>
internal static unsafe class Futex
{
    /// <summary>How long one kernel sleep lasts when the wait can be cancelled.</summary>
    private static readonly TimeSpan Slice = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// Blocks while <c>*word == expected</c>. With a cancellable token it sleeps in slices, so
    /// cancellation is noticed within one; a change of the word always wins over cancellation.
    /// </summary>
    public static void WaitWhileEqual(int* word, int expected, CancellationToken cancellationToken)
    {
        while (Volatile.Read(ref *word) == expected)
        {
            cancellationToken.ThrowIfCancellationRequested();
            Sleep(word, expected, cancellationToken.CanBeCanceled ? Slice : null);
        }
    }

    /// <summary>Wakes every process and thread sleeping on <paramref name="word"/>.</summary>
    public static void WakeAll(int* word)
    {
        if (LibC.Futex(LibC.FutexSyscall, word, LibC.FUTEX_WAKE, int.MaxValue, null, 0, 0) < 0)
        {
            throw Error("futex(FUTEX_WAKE)");
        }
    }

    /// <summary>Wakes at most one process or thread sleeping on <paramref name="word"/>; true when one was woken.</summary>
    public static bool WakeOne(int* word)
    {
        var woken = LibC.Futex(LibC.FutexSyscall, word, LibC.FUTEX_WAKE, 1, null, 0, 0);
        return woken >= 0 ? woken > 0 : throw Error("futex(FUTEX_WAKE)");
    }

    /// <summary>
    /// Wakes at most one sleeper on <paramref name="word"/> and, when one was woken, notes that
    /// this thread owes it its core: if the thread goes to sleep soon after
    /// (<see cref="GiveUpOwedCore"/>, called by <see cref="Playground.Scenarios.Engine.Delays.Sleep"/>),
    /// it first yields (sched_yield) so the woken one runs at once. The kernel usually wakes a
    /// sleeper on its waker's core, where it waits until the waker blocks by itself, and getting
    /// into a timed sleep takes microseconds (arming a timer, more so on a virtual machine). This
    /// is the kernel's "sync" wake-up, which it gives pipes and sockets and futex lacks. A waker
    /// that goes on working keeps its core: yielding then would only add switches when there are
    /// more processes than cores.
    /// </summary>
    public static void WakeOneOwingCore(int* word)
    {
        if (WakeOne(word))
        {
            t_wokeAt = Stopwatch.GetTimestamp();
        }
    }

    /// <summary>
    /// Called by a thread about to sleep (at <paramref name="now"/>): if it woke a sleeper within
    /// the last <see cref="OwedFor"/>, it gives up its core first. When the woken one is on another
    /// core, or has already run, the yield returns at once.
    /// </summary>
    public static void GiveUpOwedCore(long now)
    {
        var wokeAt = t_wokeAt;
        if (wokeAt != 0)
        {
            t_wokeAt = 0;
            if (now - wokeAt < OwedFor)
            {
                _ = LibC.SchedYield(); // always succeeds on Linux
            }
        }
    }

    /// <summary>Whether this thread woke a sleeper and has not gone to sleep since (or let it go as too long ago).</summary>
    public static bool OwesCore => t_wokeAt != 0;

    /// <summary>How long after a wake-up going to sleep still counts as "soon": longer, and the woken one has run anyway.</summary>
    private static readonly long OwedFor = Stopwatch.Frequency / 10_000; // 100 µs

    [ThreadStatic]
    private static long t_wokeAt;

    /// <summary>
    /// One kernel sleep while <c>*word == expected</c>, at most <paramref name="timeout"/>. Returns when
    /// woken, when the word no longer holds expected (EAGAIN), on a signal (EINTR) or when the time
    /// runs out; the caller looks at the word again in every case.
    /// </summary>
    public static void Sleep(int* word, int expected, TimeSpan? timeout)
    {
        long result;
        if (timeout is { } t)
        {
            var relative = new LibC.TimeSpec { Seconds = (long)t.TotalSeconds, Nanoseconds = t.Ticks % TimeSpan.TicksPerSecond * 100 };
            result = LibC.Futex(LibC.FutexSyscall, word, LibC.FUTEX_WAIT, expected, &relative, 0, 0);
        }
        else
        {
            result = LibC.Futex(LibC.FutexSyscall, word, LibC.FUTEX_WAIT, expected, null, 0, 0);
        }

        if (result != 0 && LibC.Errno is not (LibC.EAGAIN or LibC.EINTR or LibC.ETIMEDOUT))
        {
            throw Error("futex(FUTEX_WAIT)");
        }
    }

    private static Win32Exception Error(string what)
    {
        var errno = LibC.Errno;
        return new Win32Exception(errno, $"{what} failed (errno {errno})");
    }
}
