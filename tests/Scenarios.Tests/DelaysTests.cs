using System.Diagnostics;
using Playground.Scenarios.Engine;

namespace Playground.Scenarios.Tests;

public sealed class DelaysTests
{
    private static readonly TimeSpan Short = TimeSpan.FromTicks(2_000); // 0.2 ms

    [Fact(Timeout = 30_000)]
    public async Task A_sleep_below_a_millisecond_really_lasts_at_least_that_long()
    {
        var shortest = await TestSupport.OnThread(() =>
        {
            var least = TimeSpan.MaxValue;
            for (var i = 0; i < 50; i++)
            {
                var started = Stopwatch.GetTimestamp();
                Delays.Sleep(Short, CancellationToken.None);
                var slept = Stopwatch.GetElapsedTime(started);
                least = slept < least ? slept : least;
            }

            return least;
        });

        Assert.True(shortest >= Short, $"a sleep of {Short.TotalMilliseconds} ms lasted {shortest.TotalMilliseconds} ms");
    }

    [Fact(Timeout = 30_000)]
    public async Task A_sleep_of_whole_milliseconds_and_a_fraction_lasts_at_least_that_long()
    {
        var duration = TimeSpan.FromTicks(13_500); // 1.35 ms
        var shortest = await TestSupport.OnThread(() =>
        {
            var least = TimeSpan.MaxValue;
            for (var i = 0; i < 50; i++)
            {
                var started = Stopwatch.GetTimestamp();
                using var cts = new CancellationTokenSource();
                Delays.Sleep(duration, cts.Token);
                var slept = Stopwatch.GetElapsedTime(started);
                least = slept < least ? slept : least;
            }

            return least;
        });

        Assert.True(shortest >= duration, $"a sleep of {duration.TotalMilliseconds} ms lasted {shortest.TotalMilliseconds} ms");
    }

    [Fact(Timeout = 30_000)]
    public async Task An_async_sleep_below_a_millisecond_really_lasts_at_least_that_long()
    {
        var least = TimeSpan.MaxValue;
        for (var i = 0; i < 50; i++)
        {
            var started = Stopwatch.GetTimestamp();
            await Delays.SleepAsync(Short, CancellationToken.None);
            var slept = Stopwatch.GetElapsedTime(started);
            least = slept < least ? slept : least;
        }

        Assert.True(least >= Short, $"an async sleep of {Short.TotalMilliseconds} ms lasted {least.TotalMilliseconds} ms");
    }

    [Fact(Timeout = 30_000)]
    public async Task Cancellation_ends_a_long_sleep_of_either_kind()
    {
        using var cts = new CancellationTokenSource();
        var (_, blocking) = TestSupport.StartThread(() =>
        {
            Delays.Sleep(TimeSpan.FromMinutes(10), cts.Token);
            return true;
        });
        var awaiting = Delays.SleepAsync(TimeSpan.FromMinutes(10), cts.Token);

        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => blocking.WaitAsync(TestSupport.Deadline));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => awaiting.WaitAsync(TestSupport.Deadline));
        Assert.Throws<OperationCanceledException>(() => Delays.Sleep(Short, cts.Token));
    }
}
