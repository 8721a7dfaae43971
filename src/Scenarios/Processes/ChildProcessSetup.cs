namespace Playground.Scenarios.Processes;

/// <summary>What a child does first: tie its life to the server's and join the run's group.</summary>
public static class ChildProcessSetup
{
    /// <summary>
    /// Asks the kernel to kill this process when its parent dies (PR_SET_PDEATHSIG), then checks
    /// the parent is still the expected one, closing the race where it died just before.
    /// </summary>
    public static bool DieWithParent(int expectedParent)
    {
        if (!OperatingSystem.IsLinux())
        {
            return true;
        }

        _ = LibC.Prctl(LibC.PR_SET_PDEATHSIG, LibC.SIGKILL, 0, 0, 0);
        return LibC.GetPpid() == expectedParent;
    }

    /// <summary>
    /// Joins process group <paramref name="groupId"/>, or leads a new one when it is 0. The leader
    /// may not have made its group yet when a sibling starts, so joining retries briefly.
    /// </summary>
    public static void JoinGroup(int groupId)
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        if (groupId == 0)
        {
            _ = LibC.SetPgid(0, 0);
            return;
        }

        for (var attempt = 0; attempt < 200; attempt++)
        {
            if (LibC.SetPgid(0, groupId) == 0)
            {
                return;
            }

            Thread.Sleep(5);
        }

        Console.Error.WriteLine($"worker: could not join process group {groupId}; it is killed by pid instead");
    }

    /// <summary>This process's group.</summary>
    public static int CurrentGroup => LibC.GetPgid(0);
}
