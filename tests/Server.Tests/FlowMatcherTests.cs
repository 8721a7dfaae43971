using Playground.Server.Exports;
using Playground.Shared.Events;

namespace Playground.Server.Tests;

/// <summary>Which put an arrow leaves for each get, and which release for each acquire, on logs written by hand.</summary>
public sealed class FlowMatcherTests
{
    private readonly FlowMatcher _flows = new(actors: 4);
    private long _now;

    /// <summary>The next event, 100 ns after the last; returns the start of the arrow that ends at it, if any.</summary>
    private FlowEndpoint? Event(int actor, EventKind kind, string? resource = null, long value = 0)
    {
        _now += 100;
        var endpoint = FlowEndpoint.IsEndpointKind(kind) ? new FlowEndpoint(actor, _now, kind, resource, value, -1) : null;
        return _flows.Observe(actor, kind, resource, _now, endpoint);
    }

    [Fact]
    public void A_get_takes_the_oldest_put_of_its_item_and_a_value_put_twice_pairs_in_order()
    {
        Event(0, EventKind.Start);
        Event(1, EventKind.Start);
        Event(0, EventKind.Put, "queue", 7);
        Event(0, EventKind.Put, "queue", -1);
        Event(0, EventKind.Put, "queue", -1);
        Event(0, EventKind.Put, "other", 7);

        var seven = Event(1, EventKind.Get, "queue", 7);
        var firstStop = Event(1, EventKind.Get, "queue", -1);
        var secondStop = Event(1, EventKind.Get, "queue", -1);
        var none = Event(1, EventKind.Get, "queue", -1);

        Assert.Equal((EventKind.Put, "queue", 7L, 300L), (seven!.Kind, seven.Resource, seven.Value, seven.Ns));
        Assert.Equal(400, firstStop!.Ns);
        Assert.Equal(500, secondStop!.Ns);
        Assert.Null(none);
        // Only the put on the other resource is still waiting.
        Assert.Equal(1, _flows.OutstandingPuts);
    }

    [Fact]
    public void Past_the_cap_the_oldest_put_gives_its_place_up()
    {
        var flows = new FlowMatcher(actors: 2, maxOutstanding: 2);
        FlowEndpoint Put(long value, long ns) => new(0, ns, EventKind.Put, "queue", value, -1);
        FlowEndpoint Get(long value, long ns) => new(1, ns, EventKind.Get, "queue", value, -1);
        flows.Observe(0, EventKind.Put, "queue", 1, Put(1, 1));
        flows.Observe(0, EventKind.Put, "queue", 2, Put(2, 2));
        flows.Observe(0, EventKind.Put, "queue", 3, Put(3, 3));

        Assert.Equal(2, flows.OutstandingPuts);
        Assert.Equal(1, flows.EvictedPuts);
        Assert.Null(flows.Observe(1, EventKind.Get, "queue", 4, Get(1, 4)));
        Assert.Equal(2, flows.Observe(1, EventKind.Get, "queue", 5, Get(2, 5))!.Ns);
        Assert.Equal(3, flows.Observe(1, EventKind.Get, "queue", 6, Get(3, 6))!.Ns);
        Assert.Equal(0, flows.OutstandingPuts);
    }

    [Fact]
    public void An_acquire_after_a_wait_comes_from_the_first_release_by_another_actor_after_the_wait_began()
    {
        Event(0, EventKind.Start);
        Event(1, EventKind.Start);
        Event(2, EventKind.Start);
        Event(0, EventKind.Acquire, "lot");
        // Released while nobody waits: no one was woken by it.
        Event(0, EventKind.Release, "lot");
        Event(0, EventKind.Acquire, "lot");
        Event(1, EventKind.Wait, "lot");
        var release = _now + 100;
        Event(0, EventKind.Release, "lot");

        var from = Event(1, EventKind.Acquire, "lot");

        Assert.NotNull(from);
        Assert.Equal((0, EventKind.Release, release), (from.Actor, from.Kind, from.Ns));
        Assert.Equal(0, _flows.OutstandingReleases);
        // An acquire that did not wait (actor 2) has no arrow even with a release about.
        Event(1, EventKind.Release, "lot");
        Assert.Null(Event(2, EventKind.Acquire, "lot"));
    }

    [Fact]
    public void Releases_are_kept_one_per_waiter_and_a_starved_waiter_gets_the_latest()
    {
        Event(0, EventKind.Start);
        Event(1, EventKind.Start);
        Event(2, EventKind.Start);
        Event(1, EventKind.Wait, "lot");
        // Three releases while one actor waits; newcomers (actor 2, never blocked) take the first two.
        Event(0, EventKind.Release, "lot");
        Assert.Null(Event(2, EventKind.Acquire, "lot"));
        Event(0, EventKind.Release, "lot");
        Assert.Null(Event(2, EventKind.Acquire, "lot"));
        var last = _now + 100;
        Event(0, EventKind.Release, "lot");
        Assert.Equal(1, _flows.OutstandingReleases);

        var from = Event(1, EventKind.Acquire, "lot");

        Assert.Equal(last, from!.Ns);
    }

    [Fact]
    public void Two_waiters_take_two_releases_in_order_and_a_release_of_another_resource_is_not_theirs()
    {
        Event(0, EventKind.Start);
        Event(1, EventKind.Start);
        Event(2, EventKind.Start);
        Event(3, EventKind.Start);
        Event(1, EventKind.Wait, "lot");
        Event(2, EventKind.Wait, "lot");
        var first = _now + 100;
        Event(0, EventKind.Release, "lot");
        var second = _now + 100;
        Event(3, EventKind.Release, "lot");

        Assert.Equal(first, Event(2, EventKind.Acquire, "lot")!.Ns);
        Assert.Equal(second, Event(1, EventKind.Acquire, "lot")!.Ns);

        // Actor 1 waits on another resource: the release of "lot" is not for it.
        Event(1, EventKind.Wait, "gil");
        Event(0, EventKind.Release, "lot");
        Assert.Null(Event(1, EventKind.Acquire, "gil"));
    }

    [Fact]
    public void A_release_from_before_the_wait_is_not_the_one_that_unblocked_it()
    {
        Event(0, EventKind.Start);
        Event(1, EventKind.Start);
        Event(2, EventKind.Start);
        Event(1, EventKind.Wait, "lot");
        Event(0, EventKind.Release, "lot");
        Event(2, EventKind.Wait, "lot");
        // Actor 2 arrived after the release: only a later one can have let it in.
        Assert.Null(Event(2, EventKind.Acquire, "lot"));
        Assert.NotNull(Event(1, EventKind.Acquire, "lot"));
    }
}
