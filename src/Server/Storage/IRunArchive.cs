using Playground.Shared.Runs;

namespace Playground.Server.Storage;

/// <summary>
/// Where saved runs are kept: a run's description, owner and whole event log, found again by the
/// run's own id. Safe to call from any number of requests at once. Calls are synchronous: the run
/// lookup every endpoint shares is, and an embedded database does its work on the calling thread.
/// </summary>
public interface IRunArchive
{
    /// <summary>Saves <paramref name="run"/> unless a run with its id is saved already; true when this call saved it.</summary>
    bool Save(ArchivedRun run);

    /// <summary>A saved run with its log, or null when there is none with this id.</summary>
    ArchivedRun? Load(string id);

    /// <summary>A saved run's entry (no log), or null.</summary>
    ArchiveEntry? Find(string id);

    /// <summary>One page of saved runs, newest saved first, of one scenario and/or one owner when given.</summary>
    ArchivePage List(string? scenario, string? ownerIdentity, int page, int size);

    /// <summary>Removes a saved run and its log; false when there was none.</summary>
    bool Delete(string id);

    /// <summary>Removes the runs saved longer ago than the age limit and the oldest past the count limit; returns their ids.</summary>
    IReadOnlyList<string> Sweep();
}

/// <summary>What is kept of one saved run.</summary>
/// <param name="Info">The run as the API shows it — parameters, state, reason, times, actors, summary and verdict — with its <see cref="RunInfo.SavedAt"/>.</param>
/// <param name="Log">Its event log; null for a run that never started.</param>
public sealed record ArchivedRun(RunInfo Info, string OwnerIdentity, string OwnerAddress, bool UsesProcesses, ArchivedLog? Log)
{
    public DateTimeOffset SavedAt => Info.SavedAt ?? throw new InvalidOperationException("A saved run has a time it was saved.");
}

/// <summary>
/// A run's event log as saved: every actor's events in blocks (<see cref="EventBlockCodec"/>), the
/// resource names once, and the clock the times count on.
/// </summary>
/// <param name="ClockFrequency">Ticks per second of the clock the run was recorded on (<see cref="System.Diagnostics.Stopwatch.Frequency"/>).</param>
/// <param name="HorizonTicks">Where the run ended, in ticks since its start; null when it has no end on the clock.</param>
/// <param name="ResourceNames">The run's resource names; an event's resource number n is <c>ResourceNames[n - 1]</c>.</param>
/// <param name="Blocks">Each actor's blocks, in order of actor, then block.</param>
public sealed record ArchivedLog(long ClockFrequency, long? HorizonTicks, int ActorCount, IReadOnlyList<string> ResourceNames, IReadOnlyList<EventBlock> Blocks)
{
    public long EventCount => Blocks.Sum(b => (long)b.Count);

    public long Bytes => Blocks.Sum(b => (long)b.Data.Length);
}

/// <summary>Up to <see cref="EventBlockCodec.EventsPerBlock"/> consecutive events of one actor, encoded.</summary>
/// <param name="Index">The block's place in its actor's log, from 0.</param>
/// <param name="FirstTicks">Its first event's time (ticks since the run's start).</param>
/// <param name="LastTicks">Its last event's time.</param>
public sealed record EventBlock(int Actor, int Index, int Count, long FirstTicks, long LastTicks, byte[] Data);

/// <summary>A saved run as a listing shows it, without its log.</summary>
/// <param name="Held">The invariant's verdict: held, broken, or null for a run without one.</param>
/// <param name="Bytes">The size of its encoded event log.</param>
public sealed record ArchiveEntry(
    string Id,
    string Scenario,
    string OwnerIdentity,
    IReadOnlyDictionary<string, object> Parameters,
    RunState State,
    bool? Held,
    double? WallMs,
    long EventCount,
    long Bytes,
    DateTimeOffset CreatedAt,
    DateTimeOffset? StartedAt,
    DateTimeOffset? EndedAt,
    DateTimeOffset SavedAt);

/// <summary>One page of a listing, and how many saved runs the listing has in all.</summary>
public sealed record ArchivePage(IReadOnlyList<ArchiveEntry> Entries, long Total);
