using System.Diagnostics;
using Playground.Scenarios.Primitives;
using Playground.Scenarios.Processes;

namespace Playground.Scenarios.Tests;

/// <summary>How often a caller spinning on a full or empty queue looks at it, in both flavours.</summary>
public sealed class QueueLooksTests
{
    [Theory]
    [InlineData(1, 300)]
    [InlineData(2, 300)]
    [InlineData(4, 600)]
    [InlineData(64, 9_600)]
    [InlineData(100, 10_000)]
    [InlineData(0, 10_000)]
    public void A_spinner_looks_about_as_often_as_its_peer_could_fill_or_empty_the_queue(int capacity, double nanoseconds)
    {
        // 150 ns a slot, from 300 ns for the smallest queues to 10 µs for the largest and unbounded ones.
        var ticks = QueueLooks.Interval(capacity);
        Assert.Equal(nanoseconds, ticks * 1e9 / Stopwatch.Frequency, 0.5 + (1e9 / Stopwatch.Frequency));
    }

    [Fact]
    public void A_shared_spin_given_a_look_interval_tries_no_more_often_until_it_gives_up()
    {
        if (!SharedSpin.Worthwhile)
        {
            return;
        }

        var look = QueueLooks.Interval(64);
        var tries = new List<long>();
        static bool Try(List<long> t)
        {
            t.Add(Stopwatch.GetTimestamp());
            return false;
        }

        // Once first, so that compiling the code does not count as spinning.
        SharedSpin.Until(tries, Try, look);
        tries.Clear();
        var start = Stopwatch.GetTimestamp();
        var succeeded = SharedSpin.Until(tries, Try, look);

        Assert.False(succeeded);
        Assert.True(Stopwatch.GetTimestamp() - start >= SharedSpin.Limit, "the spin gave up before its limit");
        Assert.NotEmpty(tries);
        // Spinning and then yielding, every try comes a look after the one before, but the last,
        // which comes at the limit.
        var spaced = tries.Take(tries.Count - 1).ToList();
        Assert.All(spaced.Zip(spaced.Skip(1)), pair => Assert.True(pair.Second - pair.First >= look, "two tries came closer than a look apart"));
        Assert.InRange(tries.Count, 1, (int)(SharedSpin.Limit / look) + 2);
        Assert.True(tries[0] - start >= look, "the first try came before a look had passed");
    }
}
