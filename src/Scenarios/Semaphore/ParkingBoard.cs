using Playground.Scenarios.Engine;
using Playground.Scenarios.Processes;

namespace Playground.Scenarios.Semaphore;

/// <summary>
/// What the cars share besides the semaphore: who leaves first (for the planted extra release),
/// and their own count of cars parked, kept with atomic operations beside the semaphore, so the
/// semaphore's "in use" figures can be checked against something it does not keep itself.
/// </summary>
public interface IParkingBoard
{
    /// <summary>True for exactly one caller: the first car to leave.</summary>
    bool ClaimFirstLeave();

    /// <summary>A car is in a space (its acquire returned).</summary>
    void CarParked();

    /// <summary>A car is about to release its space.</summary>
    void CarLeaving();

    /// <summary>Most cars parked at once, by the cars' own count.</summary>
    long PeakParked { get; }
}

/// <summary>Atomic operations on the board's three words, wherever they live.</summary>
internal static class BoardWords
{
    public static bool Claim(ref long claimed) => Interlocked.Exchange(ref claimed, 1) == 0;

    public static void Parked(ref long parked, ref long peak) =>
        AtomicMax.Raise(ref peak, Interlocked.Increment(ref parked));
}

/// <summary>The in-memory board of threads and async mode.</summary>
public sealed class ParkingBoard : IParkingBoard
{
    private long _claimed;
    private long _parked;
    private long _peak;

    public long PeakParked => Volatile.Read(ref _peak);

    public bool ClaimFirstLeave() => BoardWords.Claim(ref _claimed);

    public void CarParked() => BoardWords.Parked(ref _parked, ref _peak);

    public void CarLeaving() => Interlocked.Decrement(ref _parked);
}

/// <summary>The board of processes mode: three words in a /dev/shm file every car maps.</summary>
public sealed class SharedParkingBoard : IParkingBoard, IDisposable
{
    private const string Name = "board";
    private readonly SharedWords _words; // [0] first leave claimed, [1] parked now, [2] most parked

    private SharedParkingBoard(SharedWords words) => _words = words;

    /// <summary>The board's file for the run with shared key <paramref name="key"/>.</summary>
    public static string PathFor(string key) => SharedWords.PathOf(key, Name);

    public static SharedParkingBoard Create(string key) => new(SharedWords.Create(key, Name));

    public static SharedParkingBoard Open(string key) => new(SharedWords.Open(key, Name));

    public static void Unlink(string key) => SharedWords.Unlink(key, Name);

    public long PeakParked => Volatile.Read(ref _words[2]);

    public bool ClaimFirstLeave() => BoardWords.Claim(ref _words[0]);

    public void CarParked() => BoardWords.Parked(ref _words[1], ref _words[2]);

    public void CarLeaving() => Interlocked.Decrement(ref _words[1]);

    public void Dispose() => _words.Dispose();
}
