using System.Runtime.InteropServices;

namespace Playground.Scenarios.Processes;

/// <summary>The few libc calls the process substrate needs (Linux, x64 and arm64).</summary>
internal static partial class LibC
{
    private const string Lib = "libc";

    public const int O_CREAT = 0x40;
    public const int O_EXCL = 0x80;
    public const int EINTR = 4;
    public const int EAGAIN = 11;
    /// <summary>flock's "would block" is EAGAIN on Linux.</summary>
    public const int EWOULDBLOCK = EAGAIN;
    public const int ENOENT = 2;
    public const int ETIMEDOUT = 110;
    public const int LOCK_EX = 2;
    public const int LOCK_NB = 4;
    public const int LOCK_UN = 8;
    public const int PR_SET_PDEATHSIG = 1;
    public const int SIGKILL = 9;
    public const int SIGTERM = 15;

    [StructLayout(LayoutKind.Sequential)]
    public struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    // sem_open is variadic; on Linux x64 and arm64 integer varargs travel like fixed arguments.
    [LibraryImport(Lib, EntryPoint = "sem_open", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    public static partial nint SemOpen(string name, int oflag, uint mode, uint value);

    [LibraryImport(Lib, EntryPoint = "sem_open", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    public static partial nint SemOpenExisting(string name, int oflag);

    [LibraryImport(Lib, EntryPoint = "sem_close", SetLastError = true)]
    public static partial int SemClose(nint sem);

    [LibraryImport(Lib, EntryPoint = "sem_unlink", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    public static partial int SemUnlink(string name);

    [LibraryImport(Lib, EntryPoint = "sem_wait", SetLastError = true)]
    public static partial int SemWait(nint sem);

    [LibraryImport(Lib, EntryPoint = "sem_trywait", SetLastError = true)]
    public static partial int SemTryWait(nint sem);

    [LibraryImport(Lib, EntryPoint = "sem_timedwait", SetLastError = true)]
    public static partial int SemTimedWait(nint sem, in TimeSpec absoluteRealtime);

    [LibraryImport(Lib, EntryPoint = "sem_post", SetLastError = true)]
    public static partial int SemPost(nint sem);

    [LibraryImport(Lib, EntryPoint = "sem_getvalue", SetLastError = true)]
    public static partial int SemGetValue(nint sem, out int value);

    public const int O_RDWR = 0x2;
    public const int O_CLOEXEC = 0x80000;

    [LibraryImport(Lib, EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    public static partial int Open(string path, int flags, uint mode);

    [LibraryImport(Lib, EntryPoint = "flock", SetLastError = true)]
    public static partial int Flock(int fd, int operation);

    // Returns an error number (not -1/errno).
    [LibraryImport(Lib, EntryPoint = "posix_fallocate")]
    public static partial int PosixFallocate(int fd, long offset, long length);

    [LibraryImport(Lib, EntryPoint = "prctl", SetLastError = true)]
    public static partial int Prctl(int option, nuint arg2, nuint arg3, nuint arg4, nuint arg5);

    [LibraryImport(Lib, EntryPoint = "setpgid", SetLastError = true)]
    public static partial int SetPgid(int pid, int pgid);

    [LibraryImport(Lib, EntryPoint = "getpgid", SetLastError = true)]
    public static partial int GetPgid(int pid);

    [LibraryImport(Lib, EntryPoint = "getppid")]
    public static partial int GetPpid();

    [LibraryImport(Lib, EntryPoint = "kill", SetLastError = true)]
    public static partial int Kill(int pid, int signal);

    [LibraryImport(Lib, EntryPoint = "madvise", SetLastError = true)]
    public static unsafe partial int Madvise(void* address, nuint length, int advice);

    /// <summary>madvise: fault in the range's pages for writing now (Linux 5.14 and later).</summary>
    public const int MADV_POPULATE_WRITE = 23;

    [LibraryImport(Lib, EntryPoint = "sched_yield")]
    public static partial int SchedYield();

    [LibraryImport(Lib, EntryPoint = "nanosleep", SetLastError = true)]
    public static partial int Nanosleep(in TimeSpec duration, out TimeSpec remaining);

    // syscall is variadic; on Linux x64 and arm64 integer and pointer varargs travel like fixed arguments.
    [LibraryImport(Lib, EntryPoint = "syscall", SetLastError = true)]
    public static unsafe partial long Futex(long number, int* word, int operation, int value, TimeSpec* timeout, nint word2, int value3);

    public const int FUTEX_WAIT = 0;
    public const int FUTEX_WAKE = 1;

    /// <summary>The futex system call's number, which differs between architectures.</summary>
    public static long FutexSyscall => RuntimeInformation.ProcessArchitecture switch
    {
        Architecture.X64 => 202,
        Architecture.Arm64 => 98,
        var other => throw new PlatformNotSupportedException($"futex on {other}"),
    };

    public const int CLOCK_PROCESS_CPUTIME_ID = 2;
    public const int CLOCK_THREAD_CPUTIME_ID = 3;

    [LibraryImport(Lib, EntryPoint = "clock_gettime", SetLastError = true)]
    public static partial int ClockGetTime(int clock, out TimeSpec time);

    public static int Errno => Marshal.GetLastPInvokeError();
}
