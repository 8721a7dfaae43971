namespace Playground.Scenarios.Pool;

/// <summary>
/// A result as it travels back to the parent in one word of the result queue: the task's number
/// (bits 0–19), whether the task raised (bit 20), and the value it returned (bits 32–63) — the end
/// of a CPU task's hash chain, or i*i for a task that only slept. multiprocessing sends the tuple
/// (job, i, (success, value)) the same way, through its result queue.
/// </summary>
public readonly record struct PoolResult(int Task, bool Failed, uint Value)
{
    private const long TaskMask = (1L << 20) - 1;
    private const long FailedBit = 1L << 20;

    /// <summary>The stop marker put on the task queue, one per worker (Python's None).</summary>
    public const long StopMarker = -1;

    public long Pack() => (Task & TaskMask) | (Failed ? FailedBit : 0) | ((long)Value << 32);

    public static PoolResult Unpack(long word) => new((int)(word & TaskMask), (word & FailedBit) != 0, (uint)((ulong)word >> 32));

    /// <summary>What a task that sleeps only returns: its number squared, as the tutorial's distributed example does.</summary>
    public static uint SquareOf(int task) => unchecked((uint)task * (uint)task);
}
