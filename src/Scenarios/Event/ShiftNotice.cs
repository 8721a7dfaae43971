using Playground.Scenarios.Processes;

namespace Playground.Scenarios.Event;

/// <summary>
/// The boss's notice board: "you can go home" (the seed's 可以下班了), posted just before the
/// boss's last set. Workers read it to know that the set they passed was the last one, and to
/// stop clearing the flag once it has been posted. A plain shared variable, as a Python program
/// would keep in a global or a multiprocessing.Value; it is not a primitive of the lesson.
/// </summary>
public interface IShiftNotice
{
    bool GoHome { get; }

    void SendHome();
}

/// <summary>The notice in memory, for threads and async mode.</summary>
public sealed class ShiftNotice : IShiftNotice
{
    private int _home;

    public bool GoHome => Volatile.Read(ref _home) != 0;

    public void SendHome() => Interlocked.Exchange(ref _home, 1);
}

/// <summary>The notice in a /dev/shm file, for processes mode.</summary>
public sealed unsafe class SharedShiftNotice : IShiftNotice, IDisposable
{
    private readonly SharedMapping _mapping;
    private readonly long* _home;

    private SharedShiftNotice(SharedMapping mapping)
    {
        _mapping = mapping;
        _home = (long*)mapping.Pointer;
    }

    /// <summary>The file of the run with shared key <paramref name="key"/>.</summary>
    public static string PathOf(string key) => $"/dev/shm/pg-{key}-notice";

    public static SharedShiftNotice Create(string key) => new(SharedMapping.Create(PathOf(key), 64));

    public static SharedShiftNotice Open(string key) => new(SharedMapping.Open(PathOf(key)));

    public static void Unlink(string key)
    {
        try
        {
            File.Delete(PathOf(key));
        }
        catch (IOException)
        {
        }
    }

    public bool GoHome => Volatile.Read(ref *_home) != 0;

    public void SendHome() => Interlocked.Exchange(ref *_home, 1);

    public void Dispose() => _mapping.Dispose();
}
