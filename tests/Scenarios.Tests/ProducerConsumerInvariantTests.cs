using Playground.Shared.Runs;
using System.Globalization;
using Playground.Scenarios.ProducerConsumer;

namespace Playground.Scenarios.Tests;

public sealed class ProducerConsumerInvariantTests
{
    private static readonly long[] Produced = [0, 1, 2, 3, 4, 5];

    [Fact]
    public void Holds_when_every_item_is_consumed_once_in_any_order()
    {
        var verdict = ProducerConsumerInvariant.Check(Produced, [5, 3, 1, 0, 2, 4], maxDepth: 2, capacity: 2, complete: true);

        Assert.True(verdict.Held, string.Join("; ", Lines(verdict)));
        Assert.Contains(Lines(verdict), e => e.Contains("all 6 items", StringComparison.Ordinal));
    }

    [Fact]
    public void Reports_an_item_produced_but_never_consumed_as_lost()
    {
        var verdict = ProducerConsumerInvariant.Check(Produced, [0, 1, 2, 4, 5], maxDepth: 2, capacity: 2, complete: true);

        Assert.False(verdict.Held);
        var line = Assert.Single(Lines(verdict));
        Assert.Contains("lost", line, StringComparison.Ordinal);
        Assert.EndsWith(": 3", line, StringComparison.Ordinal);
    }

    [Fact]
    public void Reports_an_item_consumed_twice_with_its_count()
    {
        var verdict = ProducerConsumerInvariant.Check(Produced, [0, 1, 2, 3, 4, 5, 4], maxDepth: 2, capacity: 2, complete: true);

        Assert.False(verdict.Held);
        var line = Assert.Single(Lines(verdict));
        Assert.Contains("item 4 ×2", line, StringComparison.Ordinal);
    }

    [Fact]
    public void Reports_an_item_consumed_that_was_never_produced()
    {
        var verdict = ProducerConsumerInvariant.Check(Produced, [0, 1, 2, 3, 4, 5, 99], maxDepth: 1, capacity: 2, complete: true);

        Assert.False(verdict.Held);
        Assert.Contains(Lines(verdict), e => e.Contains("never produced", StringComparison.Ordinal) && e.EndsWith("99", StringComparison.Ordinal));
    }

    [Fact]
    public void Reports_a_depth_above_capacity()
    {
        var verdict = ProducerConsumerInvariant.Check(Produced, [0, 1, 2, 3, 4, 5], maxDepth: 3, capacity: 2, complete: true);

        Assert.False(verdict.Held);
        var line = Assert.Single(Lines(verdict));
        Assert.Contains("held 3 items", line, StringComparison.Ordinal);
        Assert.Contains("capacity of 2", line, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unbounded_queue_has_no_depth_limit()
    {
        var verdict = ProducerConsumerInvariant.Check(Produced, [0, 1, 2, 3, 4, 5], maxDepth: 6, capacity: 0, complete: true);

        Assert.True(verdict.Held, string.Join("; ", Lines(verdict)));
    }

    [Fact]
    public void A_run_cut_short_does_not_count_items_in_flight_as_lost()
    {
        var verdict = ProducerConsumerInvariant.Check(Produced, [0, 2], maxDepth: 2, capacity: 2, complete: false);

        Assert.True(verdict.Held, string.Join("; ", Lines(verdict)));
        Assert.Contains(Lines(verdict), e => e.Contains("cut short", StringComparison.Ordinal) && e.Contains("2 of 6", StringComparison.Ordinal));
    }

    [Fact]
    public void A_run_cut_short_still_reports_a_duplicate()
    {
        var verdict = ProducerConsumerInvariant.Check(Produced, [0, 2, 2], maxDepth: 2, capacity: 2, complete: false);

        Assert.False(verdict.Held);
        Assert.Contains(Lines(verdict), e => e.Contains("item 2 ×2", StringComparison.Ordinal));
    }

    [Fact]
    public void Names_at_most_ten_lost_items_and_counts_the_rest()
    {
        var produced = Enumerable.Range(0, 25).Select(i => (long)i).ToList();

        var verdict = ProducerConsumerInvariant.Check(produced, [], maxDepth: 0, capacity: 5, complete: true);

        var line = Assert.Single(Lines(verdict));
        Assert.StartsWith("25 item(s)", line, StringComparison.Ordinal);
        Assert.Contains("0, 1, 2, 3, 4, 5, 6, 7, 8, 9 and 15 more", line, StringComparison.Ordinal);
    }

    private static List<string> Lines(Verdict verdict) =>
        verdict.Evidence.Select(e => e.Format(CultureInfo.InvariantCulture)).ToList();
}
