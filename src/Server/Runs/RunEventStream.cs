using System.Runtime.CompilerServices;
using Microsoft.Extensions.Options;
using Playground.Scenarios.Recording;
using Playground.Shared.Catalog;
using Playground.Shared.Events;
using Playground.Shared.Runs;

namespace Playground.Server.Runs;

/// <summary>
/// A run's state at one frame of its stream: the frame's number, how far it had read each actor's
/// log (null before the run started), the state and the run as it then was. A viewer that has been
/// sent a frame has been sent every event below <see cref="Ends"/>.
/// </summary>
public sealed record StreamFrame(long Seq, int[]? Ends, RunState State, RunInfo Info, bool Final);

/// <summary>
/// Reads a run's log into event batches. Live, frame by frame from one set of cursors
/// (<see cref="RunFrameReader"/>; one per run for the broadcast to every viewer at the live edge):
/// when more than a frame's budget is pending, each actor's last state change and the latest value
/// of each gauge the scenario declares go instead of every event, with the number left out. A
/// viewer who joins late, or fell behind, catches up on its own from the log to a frame
/// (<see cref="CatchUp"/>), coalesced the same way. Once the run has ended the log grows no more, so a viewer catches up on
/// every event, a frame's budget per batch — unless more than <see cref="RunOptions.ViewerCatchUpEvents"/>
/// are left, which the page draws from the run's tiles instead. The recorded log itself is never thinned.
/// </summary>
public sealed class RunEventStream
{
    private readonly RunOptions _options;

    public RunEventStream(IOptions<RunOptions> options) => _options = options.Value;

    internal RunOptions Options => _options;

    private int Budget => Math.Max(1, _options.ViewerEventsPerFrame);

    /// <summary>A reader of the run's frames from its start (or, with <paramref name="fromNow"/>, from what it has logged so far).</summary>
    public RunFrameReader Frames(Run run, bool fromNow = false) => new(run, this, fromNow);

    /// <summary>
    /// One viewer's stream of a run read from the log alone: from the first event to the end,
    /// frame by frame while it is live. The hub sends live runs through the run's broadcast
    /// instead; this serves runs that have ended, and readers in this process.
    /// </summary>
    public async IAsyncEnumerable<EventBatch> StreamAsync(Run run, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        if (run.IsFinal)
        {
            var end = new StreamFrame(0, run.Recorder?.Counts(), run.Status.State, run.ToInfo(), true);
            foreach (var batch in CatchUp(run, null, end))
            {
                cancellationToken.ThrowIfCancellationRequested();
                yield return batch;
            }

            yield break;
        }

        var frame = TimeSpan.FromMilliseconds(Math.Max(1, _options.ViewerFrameMilliseconds));
        var frames = Frames(run);
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var changed = run.Changed;
            var batch = frames.Next(out var more);
            if (batch is not null)
            {
                yield return batch;
                if (batch.Final)
                {
                    yield break;
                }
            }

            if (!more)
            {
                // Wait for a state change or the next frame, whichever comes first.
                await Task.WhenAny(changed, Task.Delay(frame, cancellationToken));
            }
        }
    }

    /// <summary>
    /// The batches that bring a viewer from <paramref name="from"/> (the last frame it was sent;
    /// null for nothing yet) to <paramref name="to"/>, read from the log, each numbered as
    /// <paramref name="to"/>. To the end of a run: every event, a frame's budget per batch, or none
    /// past <see cref="RunOptions.ViewerCatchUpEvents"/> (counted as left out), then the final batch.
    /// To a live frame: one batch, coalesced over a frame's budget like a live frame (the page
    /// fills in what was left out from the run's tiles). The first batch carries the run.
    /// </summary>
    public IEnumerable<EventBatch> CatchUp(Run run, StreamFrame? from, StreamFrame to)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(to);
        var recorder = run.Recorder;
        var budget = Budget;
        if (recorder is null || to.Ends is null)
        {
            yield return new EventBatch(run.Id, [], 0, to.State, to.Info, to.Final, to.Seq);
            yield break;
        }

        var cursors = from?.Ends is { } ends ? (int[])ends.Clone() : new int[recorder.ActorCount];
        var pending = recorder.Pending(cursors, to.Ends);
        var info = to.Info;
        if (to.Final && pending > _options.ViewerCatchUpEvents)
        {
            // A long log to catch up on after the end: the page draws it from tiles, so it is
            // counted as left out instead of sent.
            yield return new EventBatch(run.Id, [], pending, to.State, info, true, to.Seq);
            yield break;
        }

        if (to.Final)
        {
            // Every event, in batches no larger than a frame's.
            while (recorder.Pending(cursors, to.Ends) > budget)
            {
                yield return new EventBatch(run.Id, ReadAll(recorder, cursors, to.Ends, budget), 0, to.State, info, false, to.Seq);
                info = null;
            }

            yield return new EventBatch(run.Id, ReadAll(recorder, cursors, to.Ends, budget), 0, to.State, to.Final ? to.Info : info, to.Final, to.Seq);
            yield break;
        }

        var events = new List<RunEventDto>();
        var coalesced = ReadFrame(recorder, run.Scenario.Descriptor.Gauges, cursors, budget, events, to.Ends);
        yield return new EventBatch(run.Id, events, coalesced, to.State, info, false, to.Seq);
    }

    internal static List<RunEventDto> ReadAll(EventRecorder recorder, int[] cursors, int[]? ends, int maxEvents) =>
        [.. (ends is null ? recorder.ReadNew(cursors, maxEvents) : recorder.ReadNew(cursors, ends, maxEvents)).Select(e => recorder.ToDto(e))];

    /// <summary>
    /// Reads what is pending past <paramref name="cursors"/> into <paramref name="into"/> and returns
    /// how many events were left out, up to <paramref name="ends"/> when given (else all there is).
    /// Within <paramref name="budget"/> everything goes; over it, each actor's last state change,
    /// every crash, and the latest event of each gauge (across actors, so every chart ends at its
    /// true level), in time order.
    /// </summary>
    internal static long ReadFrame(EventRecorder recorder, IReadOnlyList<GaugeSpec> gauges, int[] cursors, int budget, List<RunEventDto> into, int[]? ends = null)
    {
        if (recorder.Pending(cursors, ends) <= budget)
        {
            foreach (var e in ends is null ? recorder.ReadNew(cursors) : recorder.ReadNew(cursors, ends, int.MaxValue))
            {
                into.Add(recorder.ToDto(e));
            }

            return 0;
        }

        long pending = 0;
        var kept = new List<RawEvent>();
        // The latest event of each gauge so far, and where it sits (actor, index) to tell it from an actor's own pick.
        var latest = new RawEvent?[gauges.Count];
        var latestAt = new (int Actor, int Index)[gauges.Count];
        var statePicks = new HashSet<(int Actor, int Index)>();
        for (var a = 0; a < recorder.ActorCount; a++)
        {
            var log = recorder[a];
            var end = ends is null ? log.Count : Math.Min(ends[a], log.Count);
            var state = -1;
            // The instant that ended the last block (an acquire after a wait): without it the
            // lane would look blocked until the actor's next state change.
            var resumed = -1;
            for (var i = cursors[a]; i < end; i++)
            {
                var e = log[i];
                if (e.Kind == EventKind.Crash)
                {
                    kept.Add(e);
                    statePicks.Add((a, i));
                    continue;
                }

                if (e.Kind.IsState())
                {
                    state = i;
                    resumed = -1;
                }
                else if (resumed < 0 && state >= 0 && log[state].Kind == EventKind.Wait
                    && LaneStates.Next(LaneState.Blocked, e.Kind) != LaneState.Blocked)
                {
                    resumed = i;
                }

                if (e.Level >= 0 && e.Resource is not null)
                {
                    for (var g = 0; g < gauges.Count; g++)
                    {
                        if (gauges[g].Matches(e.Resource) && (latest[g] is not { } best || e.Timestamp >= best.Timestamp))
                        {
                            latest[g] = e;
                            latestAt[g] = (a, i);
                        }
                    }
                }
            }

            if (state >= 0)
            {
                kept.Add(log[state]);
                statePicks.Add((a, state));
            }

            if (resumed >= 0)
            {
                kept.Add(log[resumed]);
                statePicks.Add((a, resumed));
            }

            pending += end - cursors[a];
            cursors[a] = end;
        }

        // One event may be the latest of two gauges, or an actor's last state change too: send it once.
        var gaugePicks = new HashSet<(int Actor, int Index)>();
        for (var g = 0; g < gauges.Count; g++)
        {
            if (latest[g] is { } e && !statePicks.Contains(latestAt[g]) && gaugePicks.Add(latestAt[g]))
            {
                kept.Add(e);
            }
        }

        kept.Sort(static (x, y) => x.Timestamp.CompareTo(y.Timestamp));
        foreach (var e in kept)
        {
            into.Add(recorder.ToDto(e));
        }

        return pending - kept.Count;
    }
}

/// <summary>
/// Reads a run's frames in order from one set of cursors: what each frame brings (coalesced over
/// the budget while the run is live), the run when it changed, numbered from 1. Not thread-safe:
/// one reader at a time.
/// </summary>
public sealed class RunFrameReader
{
    private readonly Run _run;
    private readonly RunEventStream _stream;
    private int[]? _cursors;
    private int _lastVersion = -1;

    internal RunFrameReader(Run run, RunEventStream stream, bool fromNow)
    {
        _run = run;
        _stream = stream;
        if (fromNow)
        {
            // The log so far is for each viewer to catch up on; the live edge starts here.
            _lastVersion = run.Status.Version;
            _cursors = run.Recorder?.Counts();
            Latest = new StreamFrame(0, _cursors is null ? null : (int[])_cursors.Clone(), run.Status.State, run.ToInfo(), false);
        }
        else
        {
            Latest = new StreamFrame(0, null, run.Status.State, run.ToInfo(), false);
        }
    }

    /// <summary>The last frame read (number 0 before the first).</summary>
    public StreamFrame Latest { get; private set; }

    /// <summary>
    /// The next frame's batch, or null when nothing changed since the last. Once the run has ended
    /// what is left goes in batches no larger than a frame's budget, the last one final;
    /// <paramref name="more"/> says another is ready to read at once. <paramref name="budget"/>
    /// replaces Runs:ViewerEventsPerFrame for frames that come less often.
    /// </summary>
    public EventBatch? Next(out bool more, int? budget = null)
    {
        var options = _stream.Options;
        var frameBudget = Math.Max(1, budget ?? options.ViewerEventsPerFrame);
        more = false;
        var (version, state) = _run.Status;
        // The run itself goes out only when it changed, and always with the last batch.
        var info = version != _lastVersion || state.IsFinal() ? _run.ToInfo() : null;
        state = info?.State ?? state;
        var final = state.IsFinal();
        var recorder = _run.Recorder;
        List<RunEventDto> events = [];
        long coalesced = 0;
        if (recorder is not null)
        {
            _cursors ??= new int[recorder.ActorCount];
            var pending = recorder.Pending(_cursors);
            if (final && pending > options.ViewerCatchUpEvents)
            {
                coalesced = pending;
                _cursors = recorder.Counts();
            }
            else if (final && pending > frameBudget)
            {
                // Nothing is live to keep up with: every event, the run itself with the last batch.
                more = true;
                info = null;
                final = false;
                events = RunEventStream.ReadAll(recorder, _cursors, null, frameBudget);
            }
            else if (final)
            {
                events = RunEventStream.ReadAll(recorder, _cursors, null, frameBudget);
            }
            else
            {
                coalesced = RunEventStream.ReadFrame(recorder, _run.Scenario.Descriptor.Gauges, _cursors, frameBudget, events);
            }
        }

        if (!more)
        {
            _lastVersion = version;
        }

        if (events.Count == 0 && coalesced == 0 && info is null)
        {
            return null;
        }

        var seq = Latest.Seq + 1;
        Latest = new StreamFrame(seq, _cursors is null ? null : (int[])_cursors.Clone(), state, info ?? Latest.Info, final);
        return new EventBatch(_run.Id, events, coalesced, state, info, final, seq);
    }
}
