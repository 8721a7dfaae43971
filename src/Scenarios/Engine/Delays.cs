using System.Diagnostics;
using Playground.Scenarios.Processes;

namespace Playground.Scenarios.Engine;

/// <summary>Seeded, jittered, time-scaled delays, and sleeps that wake on cancellation.</summary>
public sealed class Delays
{
    private static readonly TimeSpan Millisecond = TimeSpan.FromMilliseconds(1);
    private readonly Random _random;
    private readonly double _jitter;
    private readonly double _timeScale;

    public Delays(int seed, double jitter, double timeScale)
    {
        _random = new Random(seed);
        _jitter = jitter;
        _timeScale = timeScale;
    }

    /// <summary>
    /// Actor <paramref name="actor"/>'s own draws from a run's <paramref name="seed"/>: the same
    /// sequence in every mode, so a run's jitter can be reproduced.
    /// </summary>
    public static Delays ForActor(int seed, int actor, double jitter, double timeScale) =>
        new(ActorSeed(seed, actor), jitter, timeScale);

    /// <summary>The random seed of actor <paramref name="actor"/> (−1 for draws that belong to no actor).</summary>
    public static int ActorSeed(int seed, int actor) => unchecked((seed * 1_000_003) + (actor * 7919) + 17);

    /// <summary>A delay drawn uniformly from ±jitter around <paramref name="seconds"/>, time-scaled.</summary>
    public TimeSpan Next(double seconds)
    {
        var factor = _jitter <= 0 ? 1 : 1 + (_jitter * ((_random.NextDouble() * 2) - 1));
        return TimeSpan.FromSeconds(Math.Max(0, seconds * factor * _timeScale));
    }

    public int NextInt(int maxExclusive) => _random.Next(maxExclusive);

    /// <summary>
    /// Blocks the thread for real, at least <paramref name="duration"/>; throws if cancelled
    /// meanwhile. Whole milliseconds are slept on the token's wait handle, so cancellation wakes
    /// the sleeper; what is left below a millisecond (which that wait would round to nothing) is
    /// slept with nanosleep, which cancellation does not interrupt — it is shorter than a millisecond.
    /// </summary>
    public static void Sleep(TimeSpan duration, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (duration <= TimeSpan.Zero)
        {
            return;
        }

        var now = Stopwatch.GetTimestamp();
        var deadline = now + ToTimestampTicks(duration);
        // A process that has just woken a peer through the shared queue lets it run first.
        Futex.GiveUpOwedCore(now);
        while (true)
        {
            var left = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), deadline);
            if (left <= TimeSpan.Zero)
            {
                return;
            }

            if (left >= Millisecond)
            {
                if (cancellationToken.WaitHandle.WaitOne(TimeSpan.FromMilliseconds(Math.Floor(left.TotalMilliseconds))))
                {
                    cancellationToken.ThrowIfCancellationRequested();
                }
            }
            else
            {
                SleepBelowMillisecond(left);
                cancellationToken.ThrowIfCancellationRequested();
            }
        }
    }

    /// <summary>
    /// Waits at least <paramref name="duration"/> without holding a thread for the whole
    /// milliseconds; throws if cancelled meanwhile.
    /// </summary>
    /// <remarks>
    /// Task.Delay rides the runtime's timer, which counts whole milliseconds and cannot wait for
    /// less than one. The whole milliseconds are awaited with Task.Delay (cancellation ends them at
    /// once); a remainder below a millisecond is spent yielding the thread (Task.Yield) until the
    /// clock has passed the deadline. That keeps the delay's length honest, but for that fraction of
    /// a millisecond the task is not asleep: it keeps coming back to a pool thread between the
    /// other tasks' turns, so sub-millisecond delays cost CPU in async mode.
    /// </remarks>
    public static async Task SleepAsync(TimeSpan duration, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (duration <= TimeSpan.Zero)
        {
            return;
        }

        var deadline = Stopwatch.GetTimestamp() + ToTimestampTicks(duration);
        while (true)
        {
            var left = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), deadline);
            if (left <= TimeSpan.Zero)
            {
                return;
            }

            if (left >= Millisecond)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(Math.Floor(left.TotalMilliseconds)), cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await Task.Yield();
                cancellationToken.ThrowIfCancellationRequested();
            }
        }
    }

    private static long ToTimestampTicks(TimeSpan duration) =>
        (long)Math.Ceiling(duration.Ticks * ((double)Stopwatch.Frequency / TimeSpan.TicksPerSecond));

    private static void SleepBelowMillisecond(TimeSpan duration)
    {
        var request = new LibC.TimeSpec { Seconds = 0, Nanoseconds = duration.Ticks * 100 };
        // Interrupted by a signal: sleep what is left, as the caller's loop would anyway.
        while (LibC.Nanosleep(request, out var remaining) != 0 && LibC.Errno == LibC.EINTR)
        {
            request = remaining;
        }
    }
}
