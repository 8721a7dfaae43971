namespace Playground.Scenarios.Engine;

/// <summary>Seeded, jittered, time-scaled delays, and a sleep that wakes on cancellation.</summary>
public sealed class Delays
{
    private readonly Random _random;
    private readonly double _jitter;
    private readonly double _timeScale;

    public Delays(int seed, double jitter, double timeScale)
    {
        _random = new Random(seed);
        _jitter = jitter;
        _timeScale = timeScale;
    }

    /// <summary>A delay drawn uniformly from ±jitter around <paramref name="seconds"/>, time-scaled.</summary>
    public TimeSpan Next(double seconds)
    {
        var factor = _jitter <= 0 ? 1 : 1 + (_jitter * ((_random.NextDouble() * 2) - 1));
        return TimeSpan.FromSeconds(Math.Max(0, seconds * factor * _timeScale));
    }

    public int NextInt(int maxExclusive) => _random.Next(maxExclusive);

    /// <summary>Blocks the thread for real; throws if cancelled meanwhile.</summary>
    public static void Sleep(TimeSpan duration, CancellationToken cancellationToken)
    {
        if (duration <= TimeSpan.Zero)
        {
            cancellationToken.ThrowIfCancellationRequested();
            return;
        }

        if (cancellationToken.WaitHandle.WaitOne(duration))
        {
            cancellationToken.ThrowIfCancellationRequested();
        }
    }
}
