using Playground.Shared.Events;

namespace Playground.Server.Exports;

/// <summary>One event that can start or end a flow arrow: a put, get, release or acquire.</summary>
public sealed class FlowEndpoint(int actor, long ns, EventKind kind, string? resource, long value, long level)
{
    public int Actor { get; } = actor;

    /// <summary>Nanoseconds since the run's start.</summary>
    public long Ns { get; } = ns;

    public EventKind Kind { get; } = kind;

    public string? Resource { get; } = resource;

    public long Value { get; } = value;

    public long Level { get; } = level;

    /// <summary>Time to the next event of the same lane (or to the end), once known; -1 before.</summary>
    internal long Gap { get; set; } = -1;

    /// <summary>The arrow waiting for this end's <see cref="Gap"/>, if any.</summary>
    internal FlowPair? Waiting { get; set; }

    /// <summary>True for the kinds an arrow can start or end at.</summary>
    public static bool IsEndpointKind(EventKind kind) => kind is EventKind.Put or EventKind.Get or EventKind.Release or EventKind.Acquire;
}

/// <summary>An arrow found by <see cref="FlowMatcher"/>, from <see cref="From"/> to <see cref="To"/>.</summary>
internal sealed record FlowPair(FlowEndpoint From, FlowEndpoint To)
{
    public bool Ready => From.Gap >= 0 && To.Gap >= 0;
}

/// <summary>
/// Finds the arrows of a run's log, read once in time order: from each put to the get of the same
/// item, and from each release to the acquire it unblocked. Its memory holds only what is
/// outstanding — items put and not yet got, and releases that a waiting actor may still take —
/// never the log.
/// </summary>
/// <remarks>
/// <para><b>put → get.</b> A get of value v on resource R is matched to the oldest put of v on R
/// not yet matched (items are numbered, and a value put twice, like the stop markers, pairs in
/// order). A put never got (an item lost) keeps its place until <see cref="MaxOutstanding"/> puts
/// are waiting, then the oldest gives its place up.</para>
/// <para><b>release → acquire.</b> An acquire of R is the end of an arrow only when its actor's
/// lane was blocked on R (a <c>wait</c> on R, per <see cref="LaneStates"/>) right before it. Its
/// start is the earliest release of R, by another actor, recorded after that wait began and not
/// yet taken by another acquire. A release counts only while some actor is blocked on R — one
/// made while nobody waits frees a permit no sleeper was woken for — and only the latest releases,
/// one per actor then blocked on R, are kept: a waiter is woken by a recent release, not by one
/// that a newcomer's acquire already used.</para>
/// </remarks>
public sealed class FlowMatcher
{
    /// <summary>Puts kept waiting for their get, at most; no run the default caps admit moves more items.</summary>
    public const int DefaultMaxOutstanding = 1 << 17;

    private readonly Lane[] _lanes;
    private readonly Dictionary<(string Resource, long Value), Chain> _puts = [];
    // Every waiting put, oldest first, through Put.Older/Newer: what gives its place up first.
    private Put? _oldest;
    private Put? _newest;
    private readonly Dictionary<string, int> _waiters = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<FlowEndpoint>> _releases = new(StringComparer.Ordinal);

    public FlowMatcher(int actors, int maxOutstanding = DefaultMaxOutstanding)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(actors, 0);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxOutstanding, 1);
        _lanes = new Lane[actors];
        MaxOutstanding = maxOutstanding;
    }

    public int MaxOutstanding { get; }

    /// <summary>Puts waiting for their get now.</summary>
    public int OutstandingPuts { get; private set; }

    /// <summary>Releases kept for a waiting actor now.</summary>
    public int OutstandingReleases { get; private set; }

    /// <summary>Puts that gave their place up to newer ones (their arrow, if any, is lost).</summary>
    public long EvictedPuts { get; private set; }

    /// <summary>
    /// Reads the next event of the log (in time order) and returns the start of the arrow that ends
    /// at it, if any. <paramref name="endpoint"/> is the event itself when its kind can be an end
    /// (<see cref="FlowEndpoint.IsEndpointKind"/>), else null.
    /// </summary>
    public FlowEndpoint? Observe(int actor, EventKind kind, string? resource, long ns, FlowEndpoint? endpoint)
    {
        ref var lane = ref _lanes[actor];
        var before = lane.State;
        var blockedOn = lane.BlockedOn;
        var waitStart = lane.WaitStart;
        var after = LaneStates.Next(before, kind);
        if (before != LaneState.Blocked && after == LaneState.Blocked)
        {
            lane.BlockedOn = resource;
            lane.WaitStart = ns;
            if (resource is not null)
            {
                _waiters[resource] = _waiters.GetValueOrDefault(resource) + 1;
            }
        }
        else if (before == LaneState.Blocked && after != LaneState.Blocked)
        {
            if (blockedOn is not null)
            {
                _waiters[blockedOn]--;
            }

            lane.BlockedOn = null;
        }

        lane.State = after;
        if (endpoint is null || resource is null)
        {
            return null;
        }

        switch (kind)
        {
            case EventKind.Put:
                AddPut(endpoint);
                return null;
            case EventKind.Get:
                return TakePut(resource, endpoint.Value);
            case EventKind.Release:
                KeepRelease(resource, endpoint);
                return null;
            case EventKind.Acquire when before == LaneState.Blocked && string.Equals(blockedOn, resource, StringComparison.Ordinal):
                return TakeRelease(resource, actor, waitStart);
            default:
                return null;
        }
    }

    private void AddPut(FlowEndpoint endpoint)
    {
        var put = new Put(endpoint) { Older = _newest };
        if (_newest is null)
        {
            _oldest = put;
        }
        else
        {
            _newest.Newer = put;
        }

        _newest = put;
        var key = (endpoint.Resource!, endpoint.Value);
        if (_puts.TryGetValue(key, out var chain))
        {
            chain.Last.NextSame = put;
            chain.Last = put;
        }
        else
        {
            _puts[key] = new Chain(put);
        }

        if (++OutstandingPuts > MaxOutstanding)
        {
            // The oldest waiting put is the first of its own chain too: both are in time order.
            var oldest = _oldest!;
            Remove(oldest, (oldest.Endpoint.Resource!, oldest.Endpoint.Value));
            EvictedPuts++;
        }
    }

    private FlowEndpoint? TakePut(string resource, long value)
    {
        var key = (resource, value);
        if (!_puts.TryGetValue(key, out var chain))
        {
            return null;
        }

        var put = chain.First;
        Remove(put, key);
        return put.Endpoint;
    }

    /// <summary>Removes <paramref name="put"/>, the first of its chain, from the chain and from the list by age.</summary>
    private void Remove(Put put, (string, long) key)
    {
        var chain = _puts[key];
        if (put.NextSame is null)
        {
            _puts.Remove(key);
        }
        else
        {
            chain.First = put.NextSame;
        }

        if (put.Older is null)
        {
            _oldest = put.Newer;
        }
        else
        {
            put.Older.Newer = put.Newer;
        }

        if (put.Newer is null)
        {
            _newest = put.Older;
        }
        else
        {
            put.Newer.Older = put.Older;
        }

        OutstandingPuts--;
    }

    private void KeepRelease(string resource, FlowEndpoint release)
    {
        var waiting = _waiters.GetValueOrDefault(resource);
        if (!_releases.TryGetValue(resource, out var kept))
        {
            if (waiting == 0)
            {
                return;
            }

            kept = _releases[resource] = [];
        }

        if (waiting == 0)
        {
            OutstandingReleases -= kept.Count;
            kept.Clear();
            return;
        }

        kept.Add(release);
        OutstandingReleases++;
        if (kept.Count > waiting)
        {
            var drop = kept.Count - waiting;
            kept.RemoveRange(0, drop);
            OutstandingReleases -= drop;
        }
    }

    private FlowEndpoint? TakeRelease(string resource, int actor, long waitStart)
    {
        if (!_releases.TryGetValue(resource, out var kept))
        {
            return null;
        }

        for (var i = 0; i < kept.Count; i++)
        {
            var release = kept[i];
            if (release.Actor != actor && release.Ns >= waitStart)
            {
                kept.RemoveAt(i);
                OutstandingReleases--;
                return release;
            }
        }

        return null;
    }

    private struct Lane
    {
        public LaneState State;
        public string? BlockedOn;
        public long WaitStart;
    }

    private sealed class Put(FlowEndpoint endpoint)
    {
        public FlowEndpoint Endpoint { get; } = endpoint;
        public Put? NextSame;
        public Put? Older;
        public Put? Newer;
    }

    private sealed class Chain(Put first)
    {
        public Put First = first;
        public Put Last = first;
    }
}
