using System.Globalization;

namespace Playground.Server.Tests.Infrastructure;

/// <summary>Whether a pid is a live child of the test process (the server in it), from /proc.</summary>
public static class Children
{
    public static bool IsOurs(int pid)
    {
        try
        {
            // /proc/PID/stat: "pid (comm) state ppid ..."; comm may hold spaces, so read after the last ')'.
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var parent = int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1], CultureInfo.InvariantCulture);
            return parent == Environment.ProcessId;
        }
        catch (IOException)
        {
            return false;
        }
    }
}
