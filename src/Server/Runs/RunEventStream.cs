using System.Runtime.CompilerServices;
using Microsoft.Extensions.Options;
using Playground.Scenarios.Recording;
using Playground.Shared.Catalog;
using Playground.Shared.Events;
using Playground.Shared.Runs;

namespace Playground.Server.Runs;

/// <summary>
/// Streams a run's log to one viewer in batches, from the first event, then live. Each viewer
/// keeps only a cursor per actor into the shared log, so a slow viewer costs no memory: when more
/// than a frame's budget is pending while the run is live, it gets each actor's last state change
/// and the latest value of each gauge the scenario declares instead of every event, with the
/// number left out. Once the run has ended the log grows no more, so the viewer catches up on
/// every event, a frame's budget per batch — unless more than <see cref="RunOptions.ViewerCatchUpEvents"/>
/// are left, which the page draws from the run's tiles instead. The recorded log itself is never thinned.
/// </summary>
public sealed class RunEventStream
{
    private readonly RunOptions _options;

    public RunEventStream(IOptions<RunOptions> options) => _options = options.Value;

    public async IAsyncEnumerable<EventBatch> StreamAsync(Run run, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var frame = TimeSpan.FromMilliseconds(Math.Max(1, _options.ViewerFrameMilliseconds));
        int[]? cursors = null;
        var lastVersion = -1;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var changed = run.Changed;
            var (version, state) = run.Status;
            // The run itself goes out only when it changed, and always with the last batch.
            var info = version != lastVersion || state.IsFinal() ? run.ToInfo() : null;
            state = info?.State ?? state;
            var final = state.IsFinal();
            var recorder = run.Recorder;
            List<RunEventDto> events = [];
            long coalesced = 0;
            if (recorder is not null)
            {
                cursors ??= new int[recorder.ActorCount];
                if (final && recorder.Pending(cursors) > _options.ViewerCatchUpEvents)
                {
                    // A long log to catch up on after the end: the page draws it from tiles, so it
                    // is counted as left out instead of sent.
                    coalesced = recorder.Pending(cursors);
                    for (var a = 0; a < cursors.Length; a++)
                    {
                        cursors[a] = recorder[a].Count;
                    }
                }
                else if (final)
                {
                    // Nothing is live to keep up with: every event, in batches no larger than a frame's.
                    var budget = Math.Max(1, _options.ViewerEventsPerFrame);
                    while (recorder.Pending(cursors) > budget)
                    {
                        cancellationToken.ThrowIfCancellationRequested();
                        yield return new EventBatch(run.Id, ReadAll(recorder, cursors, budget), 0, state, null, false);
                    }

                    events = ReadAll(recorder, cursors, budget);
                }
                else
                {
                    coalesced = Read(recorder, run.Scenario.Descriptor.Gauges, cursors, events);
                }
            }

            if (events.Count > 0 || coalesced > 0 || info is not null)
            {
                yield return new EventBatch(run.Id, events, coalesced, state, info, final);
            }

            lastVersion = version;
            if (final)
            {
                yield break;
            }

            // Wait for a state change or the next frame, whichever comes first.
            await Task.WhenAny(changed, Task.Delay(frame, cancellationToken));
        }
    }

    private static List<RunEventDto> ReadAll(EventRecorder recorder, int[] cursors, int maxEvents) =>
        [.. recorder.ReadNew(cursors, maxEvents).Select(e => recorder.ToDto(e))];

    private long Read(EventRecorder recorder, IReadOnlyList<GaugeSpec> gauges, int[] cursors, List<RunEventDto> into) =>
        ReadFrame(recorder, gauges, cursors, Math.Max(1, _options.ViewerEventsPerFrame), into);

    /// <summary>
    /// Reads what is pending past <paramref name="cursors"/> into <paramref name="into"/> and returns
    /// how many events were left out. Within <paramref name="budget"/> everything goes; over it,
    /// each actor's last state change, every crash, and the latest event of each gauge (across
    /// actors, so every chart ends at its true level), in time order.
    /// </summary>
    internal static long ReadFrame(EventRecorder recorder, IReadOnlyList<GaugeSpec> gauges, int[] cursors, int budget, List<RunEventDto> into)
    {
        if (recorder.Pending(cursors) <= budget)
        {
            foreach (var e in recorder.ReadNew(cursors))
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
            var end = log.Count;
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
