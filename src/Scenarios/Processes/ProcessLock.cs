using Microsoft.Win32.SafeHandles;
using Playground.Scenarios.Recording;
using Playground.Shared.Events;

namespace Playground.Scenarios.Processes;

/// <summary>
/// A lock shared by processes: flock(LOCK_EX) on a file. The kernel frees it when the holder's
/// descriptor closes — also when the holder dies — so a crashed buyer never wedges the others.
/// Records <c>wait</c> only when the lock is really taken by someone else.
/// </summary>
public sealed class ProcessLock : IDisposable
{
    private const int LOCK_NB = 4;
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

    public void Acquire(IActorRecorder actor)
    {
        var fd = (int)_file.DangerousGetHandle();
        if (LibC.Flock(fd, LibC.LOCK_EX | LOCK_NB) != 0)
        {
            actor.Record(EventKind.Wait, Resource);
            while (LibC.Flock(fd, LibC.LOCK_EX) != 0)
            {
                if (LibC.Errno != LibC.EINTR)
                {
                    throw new IOException($"flock({Path}) failed (errno {LibC.Errno})");
                }
            }
        }

        actor.Record(EventKind.Acquire, Resource);
    }

    public void Release(IActorRecorder actor)
    {
        _ = LibC.Flock((int)_file.DangerousGetHandle(), LibC.LOCK_UN);
        actor.Record(EventKind.Release, Resource);
    }

    public void Dispose() => _file.Dispose();
}
