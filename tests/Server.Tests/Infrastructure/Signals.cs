using System.Runtime.InteropServices;

namespace Playground.Server.Tests.Infrastructure;

/// <summary>kill(2), to stop or kill a process as a person at a shell would.</summary>
public static class Signals
{
    public const int SIGKILL = 9;
    public const int SIGCONT = 18;
    public const int SIGSTOP = 19;

    public static void Send(int pid, int signal)
    {
        if (Kill(pid, signal) != 0)
        {
            throw new InvalidOperationException($"kill({pid}, {signal}) failed with errno {Marshal.GetLastPInvokeError()}");
        }
    }

    /// <summary>
    /// The open descriptors of this process, and how many of them are pipes and /dev/shm files.
    /// Assembly files are left out: the runtime opens one whenever a host first takes a path that
    /// needs it, which says nothing about what a run leaves behind.
    /// </summary>
    public static (int Total, int Pipes, int SharedMemory) Descriptors()
    {
        var total = 0;
        var pipes = 0;
        var shared = 0;
        foreach (var fd in Directory.EnumerateFileSystemEntries("/proc/self/fd"))
        {
            try
            {
                var target = new FileInfo(fd).LinkTarget ?? "";
                if (target.EndsWith(".dll", StringComparison.Ordinal))
                {
                    continue;
                }

                total++;
                pipes += target.StartsWith("pipe:", StringComparison.Ordinal) ? 1 : 0;
                shared += target.StartsWith("/dev/shm/", StringComparison.Ordinal) ? 1 : 0;
            }
            catch (IOException)
            {
                // Closed while we looked (the enumeration's own descriptor, for one).
            }
        }

        return (total, pipes, shared);
    }

#pragma warning disable SYSLIB1054 // a plain int-only call; no marshalling to generate
    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);
#pragma warning restore SYSLIB1054
}
