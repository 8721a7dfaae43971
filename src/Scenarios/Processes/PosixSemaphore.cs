using System.ComponentModel;
using System.Text.RegularExpressions;

namespace Playground.Scenarios.Processes;

/// <summary>
/// A named POSIX counting semaphore (sem_open / sem_wait / sem_post / sem_unlink), shared by
/// every process that opens the same name — what CPython's multiprocessing SemLock uses.
/// .NET's named <see cref="Semaphore"/> is not supported on Linux, hence libc.
/// </summary>
public sealed partial class PosixSemaphore : IDisposable
{
    private nint _handle;

    private PosixSemaphore(string name, nint handle)
    {
        Name = name;
        _handle = handle;
    }

    /// <summary>The name, "/pg-…"; the kernel keeps it as /dev/shm/sem.pg-….</summary>
    public string Name { get; }

    /// <summary>Creates a new semaphore; fails if the name exists.</summary>
    public static PosixSemaphore Create(string name, uint initial)
    {
        Check(name);
        var handle = LibC.SemOpen(name, LibC.O_CREAT | LibC.O_EXCL, Convert.ToUInt32("600", 8), initial);
        return handle == 0 ? throw Error($"sem_open(create {name})") : new PosixSemaphore(name, handle);
    }

    /// <summary>Opens a semaphore another process created.</summary>
    public static PosixSemaphore Open(string name)
    {
        Check(name);
        var handle = LibC.SemOpenExisting(name, 0);
        return handle == 0 ? throw Error($"sem_open({name})") : new PosixSemaphore(name, handle);
    }

    /// <summary>Removes the name; processes that have it open keep using it until they close it.</summary>
    public static bool Unlink(string name) => LibC.SemUnlink(name) == 0;

    /// <summary>The file the kernel keeps for <paramref name="name"/>.</summary>
    public static string PathOf(string name) => "/dev/shm/sem." + name.TrimStart('/');

    /// <summary>Takes a permit if one is free, without blocking (sem_trywait).</summary>
    public bool TryWait()
    {
        while (true)
        {
            if (LibC.SemTryWait(Handle) == 0)
            {
                return true;
            }

            var errno = LibC.Errno;
            if (errno == LibC.EAGAIN)
            {
                return false;
            }

            if (errno != LibC.EINTR)
            {
                throw Error("sem_trywait");
            }
        }
    }

    /// <summary>
    /// Takes a permit, sleeping in the kernel until one is free. With a cancellable token it
    /// sleeps in slices (sem_timedwait) so cancellation is noticed within a slice.
    /// </summary>
    public void Wait(CancellationToken cancellationToken)
    {
        if (!cancellationToken.CanBeCanceled)
        {
            while (LibC.SemWait(Handle) != 0)
            {
                if (LibC.Errno != LibC.EINTR)
                {
                    throw Error("sem_wait");
                }
            }

            return;
        }

        while (!Wait(TimeSpan.FromMilliseconds(100)))
        {
            cancellationToken.ThrowIfCancellationRequested();
        }
    }

    /// <summary>Takes a permit within <paramref name="timeout"/>; false when it ran out.</summary>
    public bool Wait(TimeSpan timeout)
    {
        var deadline = DateTimeOffset.UtcNow + timeout;
        var ts = new LibC.TimeSpec
        {
            Seconds = deadline.ToUnixTimeSeconds(),
            Nanoseconds = (deadline.UtcTicks % TimeSpan.TicksPerSecond) * 100,
        };
        while (true)
        {
            if (LibC.SemTimedWait(Handle, ts) == 0)
            {
                return true;
            }

            var errno = LibC.Errno;
            if (errno == LibC.ETIMEDOUT)
            {
                return false;
            }

            if (errno != LibC.EINTR)
            {
                throw Error("sem_timedwait");
            }
        }
    }

    public void Release()
    {
        if (LibC.SemPost(Handle) != 0)
        {
            throw Error("sem_post");
        }
    }

    /// <summary>The current count (a snapshot).</summary>
    public int Value => LibC.SemGetValue(Handle, out var v) == 0 ? v : throw Error("sem_getvalue");

    public void Dispose()
    {
        var handle = Interlocked.Exchange(ref _handle, 0);
        if (handle != 0)
        {
            _ = LibC.SemClose(handle);
        }
    }

    private nint Handle => _handle != 0 ? _handle : throw new ObjectDisposedException(Name);

    private static void Check(string name)
    {
        if (!SafeName().IsMatch(name))
        {
            throw new ArgumentException($"'{name}' is not a valid semaphore name (/[A-Za-z0-9._-]{{1,200}})", nameof(name));
        }
    }

    private static Win32Exception Error(string what)
    {
        var errno = LibC.Errno;
        return new Win32Exception(errno, $"{what} failed: {new Win32Exception(errno).Message} (errno {errno})");
    }

    [GeneratedRegex("^/[A-Za-z0-9._-]{1,200}$")]
    private static partial Regex SafeName();
}
