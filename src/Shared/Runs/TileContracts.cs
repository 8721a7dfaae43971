using Playground.Shared.Events;

namespace Playground.Shared.Runs;

/// <summary>
/// What a run looked like between <paramref name="From"/> and <paramref name="To"/> (ns since its
/// start), cut into <paramref name="Buckets"/> equal buckets: per lane the time in each state and
/// the instants by kind, per gauge its lowest, highest and last level — and the raw events of the
/// window when there are few enough of them.
/// </summary>
/// <param name="Events">Every event of the window in time order, when it holds at most the server's limit; else null.</param>
/// <param name="Recorded">Events the run has recorded so far, in all.</param>
/// <param name="Horizon">The run's present in ns: where it ended, or now while it runs; no state is counted past it.</param>
public sealed record TileWindow(long From, long To, int Buckets, IReadOnlyList<LaneTiles> Lanes, IReadOnlyList<GaugeTiles> Gauges, IReadOnlyList<RunEventDto>? Events, long Recorded = 0, long Horizon = 0);

/// <summary>One lane's buckets.</summary>
public sealed record LaneTiles(int Actor, IReadOnlyList<LaneBucket> Buckets);

/// <summary>
/// One bucket of one lane: ns spent running, blocked and sleeping within it (a bucket that mixes
/// states has a share of each), and how many instants of each kind fell in it (put, get, acquire…).
/// </summary>
public sealed record LaneBucket(long Running, long Blocked, long Sleeping, IReadOnlyDictionary<string, int> Instants);

/// <summary>One gauge's buckets, by the gauge's id.</summary>
public sealed record GaugeTiles(string Name, IReadOnlyList<GaugeBucket> Buckets);

/// <summary>
/// The levels a gauge took within a bucket — the level it held when the bucket began and every
/// level set inside — and the level it held at the bucket's end; all null before its first reading.
/// </summary>
public sealed record GaugeBucket(long? Min, long? Max, long? Last);
