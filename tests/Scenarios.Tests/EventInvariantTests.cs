using Playground.Scenarios.Event;

namespace Playground.Scenarios.Tests;

/// <summary>The invariant on made-up histories: what a correct flag may do, and the passes it forbids.</summary>
public sealed class EventInvariantTests
{
    private static readonly string[] Names = ["boss", "worker-1", "worker-2", "worker-3"];

    private static FlagEvent E(long t, int actor, FlagOperation operation) => new(t, actor, operation, 0);

    [Fact]
    public void A_waiter_woken_by_a_set_passes_even_when_a_peer_clears_the_flag_before_it_runs()
    {
        var history = EventInvariant.Replay(
        [
            E(10, 1, FlagOperation.Wait),
            E(11, 2, FlagOperation.Wait),
            E(20, 0, FlagOperation.Set),
            E(25, 2, FlagOperation.Woken),
            E(26, 2, FlagOperation.Clear),
            E(40, 1, FlagOperation.Woken),
        ]);

        Assert.Empty(history.Violations);
        var set = Assert.Single(history.Sets);
        Assert.Equal([(2, 5L), (1, 20L)], set.Woke);
        Assert.Equal(2, history.WokenPasses);
        Assert.True(EventInvariant.Check(history, Names, 0).Held);
    }

    [Fact]
    public void A_pass_for_a_set_from_before_the_wait_began_with_a_clear_between_is_a_stolen_wake_up()
    {
        var history = EventInvariant.Replay(
        [
            E(10, 1, FlagOperation.Wait),
            E(20, 0, FlagOperation.Set),
            E(21, 0, FlagOperation.Clear),
            E(30, 2, FlagOperation.Wait),
            // Worker-2 takes a wake-up meant for worker-1, which is still waking up.
            E(31, 2, FlagOperation.Woken),
            E(35, 1, FlagOperation.Woken),
        ]);

        var violation = Assert.Single(history.Violations);
        Assert.Equal((2, 31L, 30L, false), (violation.Actor, violation.Timestamp, violation.WaitedSince, violation.AtOnce));
        var verdict = EventInvariant.Check(history, Names, 0);
        Assert.False(verdict.Held);
        Assert.Equal("event.evidence.passedNoSet", Assert.Single(verdict.Evidence).Key);
        Assert.Equal("event.explain.violated", verdict.Explanation!.Key);
    }

    [Fact]
    public void A_pass_with_no_set_at_all_and_a_pass_at_once_while_the_flag_is_clear_are_violations()
    {
        var history = EventInvariant.Replay(
        [
            E(10, 1, FlagOperation.Wait),
            E(12, 1, FlagOperation.Woken),
            E(20, 0, FlagOperation.Set),
            E(22, 2, FlagOperation.PassedUp),
            E(30, 3, FlagOperation.Clear),
            E(32, 2, FlagOperation.PassedUp),
        ]);

        Assert.Equal([(1, false), (2, true)], history.Violations.Select(v => (v.Actor, v.AtOnce)));
        Assert.Equal(1, history.PassesAtOnce);
        Assert.Equal(2, history.PassesByActor[2]);
    }

    [Fact]
    public void A_wait_that_timed_out_is_not_woken_by_the_next_set()
    {
        var history = EventInvariant.Replay(
        [
            E(10, 1, FlagOperation.Wait),
            E(15, 1, FlagOperation.TimedOut),
            E(20, 0, FlagOperation.Set),
        ]);

        Assert.Empty(history.Violations);
        Assert.Equal(1, history.Timeouts);
        Assert.Empty(Assert.Single(history.Sets).Woke);
        var verdict = EventInvariant.Check(history, Names, 0);
        Assert.Equal(["event.evidence.checked", "event.evidence.setWokeNone"], verdict.Evidence.Select(m => m.Key));
    }

    [Fact]
    public void Events_that_arrive_out_of_order_are_replayed_in_time_order()
    {
        // Observe sees processes' events as each pipe delivers them, not in time order.
        var history = EventInvariant.Replay(
        [
            E(40, 1, FlagOperation.Woken),
            E(20, 0, FlagOperation.Set),
            E(10, 1, FlagOperation.Wait),
        ]);

        Assert.Empty(history.Violations);
        Assert.Equal(1, history.WokenPasses);
    }
}
