namespace Playground.Scenarios.Primitives;

/// <summary>
/// A count of parties still at work (the producers that have not finished yet): each party counts
/// it down once when it is done, and the one that brings it to zero is told it was the last. It
/// never blocks and records nothing: it is the run's bookkeeping, read by actors that poll.
/// The threads flavour is <see cref="AtomicCountdown"/>; the processes flavour lives in shared memory.
/// </summary>
public interface ICountdown
{
    /// <summary>True once every party has signalled.</summary>
    bool IsZero { get; }

    /// <summary>One party is done; true for the one that brought the count to zero.</summary>
    bool Signal();
}

/// <summary>The in-memory countdown of threads and async mode.</summary>
public sealed class AtomicCountdown(int parties) : ICountdown
{
    private int _left = parties;

    public bool IsZero => Volatile.Read(ref _left) <= 0;

    public bool Signal() => Interlocked.Decrement(ref _left) == 0;
}
