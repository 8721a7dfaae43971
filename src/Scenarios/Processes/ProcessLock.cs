using Microsoft.Win32.SafeHandles;
using Playground.Scenarios.Engine;
using Playground.Scenarios.Primitives;
using Playground.Scenarios.Recording;
using Playground.Shared.Events;

namespace Playground.Scenarios.Processes;

/// <summary>
/// The processes flavour of <see cref="ILock"/>: flock(LOCK_EX) on a file. The kernel frees it
/// when the holder's descriptor closes — also when the holder dies — so a crashed buyer never
/// wedges the others. Records <c>wait</c> only when the lock is really taken by someone else.
/// </summary>
/// <remarks>
/// flock cannot be interrupted by a cancellation token. With a token that cannot be cancelled (a
/// child process, which is stopped by a signal) a waiter sleeps in the kernel's blocking flock.
/// With a cancellable one it retries LOCK_NB with short sleeps, so it notices cancellation
/// within a few milliseconds; it then takes the lock a little later after a release than a
/// kernel sleeper would.
/// </remarks>
public sealed class ProcessLock : ILock, IDisposable
{
    private static readonly TimeSpan FirstRetry = TimeSpan.FromTicks(500); // 50 µs
    private static readonly TimeSpan LongestRetry = TimeSpan.FromMilliseconds(5);
    private readonly SafeFileHandle _file;

    public ProcessLock(string path, string resource = "lock")
    {
        Path = path;
        Resource = resource;
        // Opened with open(2), not File.OpenHandle: .NET emulates FileShare on Unix with its own
        // flock(LOCK_SH | LOCK_NB) on every file it opens, which fails while a holder has the lock
        // and, while a process that is not buying holds it, keeps every Acquire waiting.
        var fd = LibC.Open(path, LibC.O_RDWR | LibC.O_CREAT | LibC.O_CLOEXEC, Convert.ToUInt32("600", 8));
        if (fd < 0)
        {
            throw new IOException($"open({path}) failed (errno {LibC.Errno})");
        }

        _file = new SafeFileHandle(fd, ownsHandle: true);
    }

    public string Path { get; }

    public string Resource { get; }

    public void Acquire(IActorRecorder actor, CancellationToken cancellationToken)
    {
        PrimitiveCall.Enter(actor, EventKind.Acquire, Resource);
        cancellationToken.ThrowIfCancellationRequested();
        if (!TryLock())
        {
            actor.Record(EventKind.Wait, Resource);
            if (cancellationToken.CanBeCanceled)
            {
                WaitCancellable(cancellationToken);
            }
            else
            {
                WaitInKernel();
            }
        }

        actor.Record(EventKind.Acquire, Resource);
    }

    public void Release(IActorRecorder actor)
    {
        PrimitiveCall.Enter(actor, EventKind.Release, Resource);
        // Recorded first: once the lock is free another holder may record its acquire.
        actor.Record(EventKind.Release, Resource);
        _ = LibC.Flock(Descriptor, LibC.LOCK_UN);
    }

    public void Dispose() => _file.Dispose();

    private int Descriptor => (int)_file.DangerousGetHandle();

    /// <summary>flock(LOCK_EX | LOCK_NB): true when taken, false when someone else holds it.</summary>
    private bool TryLock()
    {
        while (LibC.Flock(Descriptor, LibC.LOCK_EX | LibC.LOCK_NB) != 0)
        {
            var errno = LibC.Errno;
            if (errno == LibC.EWOULDBLOCK)
            {
                return false;
            }

            if (errno != LibC.EINTR)
            {
                throw new IOException($"flock({Path}) failed (errno {errno})");
            }
        }

        return true;
    }

    private void WaitInKernel()
    {
        while (LibC.Flock(Descriptor, LibC.LOCK_EX) != 0)
        {
            if (LibC.Errno != LibC.EINTR)
            {
                throw new IOException($"flock({Path}) failed (errno {LibC.Errno})");
            }
        }
    }

    private void WaitCancellable(CancellationToken cancellationToken)
    {
        var pause = FirstRetry;
        while (!TryLock())
        {
            Delays.Sleep(pause, cancellationToken);
            pause = TimeSpan.FromTicks(Math.Min(pause.Ticks * 2, LongestRetry.Ticks));
        }
    }
}
