using Playground.Scenarios.Primitives;

namespace Playground.Scenarios.Semaphore;

/// <summary>
/// The world of one run: the semaphore the cars park with (blocking, or async in async mode),
/// the board beside it, and what it takes to read the semaphore's value at the end.
/// </summary>
public sealed class ParkingLot : IDisposable
{
    private readonly Func<int> _value;
    private readonly IDisposable[] _owned;

    private ParkingLot(ISemaphore? spaces, IAsyncSemaphore? asyncSpaces, Func<int> value, IParkingBoard board, IDisposable[] owned)
    {
        Spaces = spaces;
        AsyncSpaces = asyncSpaces;
        _value = value;
        Board = board;
        _owned = owned;
    }

    /// <summary>The semaphore of threads and processes mode.</summary>
    public ISemaphore? Spaces { get; }

    /// <summary>The semaphore of async mode.</summary>
    public IAsyncSemaphore? AsyncSpaces { get; }

    public IParkingBoard Board { get; }

    /// <summary>The semaphore's value now: its free permits (more than it started with after an unnoticed extra release).</summary>
    public int Value => _value();

    public static ParkingLot Threads(MonitorSemaphore spaces) => new(spaces, null, () => spaces.Value, new ParkingBoard(), []);

    public static ParkingLot Async(AsyncSemaphore spaces) => new(null, spaces, () => spaces.Value, new ParkingBoard(), []);

    public static ParkingLot Shared(Processes.SharedSemaphore spaces, SharedParkingBoard board) =>
        new(spaces, null, () => spaces.Value, board, [spaces, board]);

    public void Dispose()
    {
        foreach (var part in _owned)
        {
            part.Dispose();
        }
    }
}
