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
public sealed class SharedShiftNotice : IShiftNotice, IDisposable
{
    private const string Name = "notice";
    private readonly SharedWords _words; // [0] go home

    private SharedShiftNotice(SharedWords words) => _words = words;

    /// <summary>The file of the run with shared key <paramref name="key"/>.</summary>
    public static string PathOf(string key) => SharedWords.PathOf(key, Name);

    public static SharedShiftNotice Create(string key) => new(SharedWords.Create(key, Name));

    public static SharedShiftNotice Open(string key) => new(SharedWords.Open(key, Name));

    public static void Unlink(string key) => SharedWords.Unlink(key, Name);

    public bool GoHome => Volatile.Read(ref _words[0]) != 0;

    public void SendHome() => Interlocked.Exchange(ref _words[0], 1);

    public void Dispose() => _words.Dispose();
}
