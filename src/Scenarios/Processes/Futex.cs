using System.ComponentModel;

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
    /// Wakes at most one sleeper on <paramref name="word"/> and, when one was woken, gives up this
    /// core (sched_yield) so the sleeper can run on it at once. The kernel usually wakes a sleeper
    /// on the waker's core; without the yield it waits there until the waker blocks by itself, which
    /// for a caller that goes on to a timed sleep costs microseconds more (arming a timer, and
    /// more so in a virtual machine). The kernel gives pipes and sockets this hand-over with its
    /// "sync" wake-ups; futex has none. When the woken one lands on an idle core instead, the yield
    /// returns at once.
    /// </summary>
    public static void HandOver(int* word)
    {
        if (WakeOne(word))
        {
            _ = LibC.SchedYield(); // always succeeds on Linux
        }
    }

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
