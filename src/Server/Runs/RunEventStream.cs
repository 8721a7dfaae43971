using System.Runtime.CompilerServices;
using Microsoft.Extensions.Options;
using Playground.Scenarios.Recording;
using Playground.Shared.Events;
using Playground.Shared.Runs;

namespace Playground.Server.Runs;

/// <summary>
/// Streams a run's log to one viewer in batches, from the first event, then live. Each viewer
/// keeps only a cursor per actor into the shared log, so a slow viewer costs no memory: when more
/// than a frame's budget is pending while the run is live, it gets each actor's last state change
/// and last level instead of every event, with the number left out. Once the run has ended the log
/// grows no more, so the viewer catches up on every event, a frame's budget per batch. The
/// recorded log itself is never thinned.
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
                if (final)
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
                    coalesced = Read(recorder, cursors, events);
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

    private long Read(EventRecorder recorder, int[] cursors, List<RunEventDto> into)
    {
        var budget = Math.Max(1, _options.ViewerEventsPerFrame);
        if (recorder.Pending(cursors) <= budget)
        {
            foreach (var e in recorder.ReadNew(cursors))
            {
                into.Add(recorder.ToDto(e));
            }

            return 0;
        }

        long coalesced = 0;
        var kept = new List<RawEvent>();
        for (var a = 0; a < recorder.ActorCount; a++)
        {
            var log = recorder[a];
            var end = log.Count;
            var keptBefore = kept.Count;
            RawEvent? state = null, level = null;
            for (var i = cursors[a]; i < end; i++)
            {
                var e = log[i];
                if (e.Kind == EventKind.Crash)
                {
                    kept.Add(e);
                    continue;
                }

                if (e.Kind.IsState())
                {
                    state = e;
                }

                if (e.Level >= 0)
                {
                    level = e;
                }
            }

            if (state is { } s)
            {
                kept.Add(s);
            }

            if (level is { } l && (state is null || l != state.Value))
            {
                kept.Add(l);
            }

            // Everything this actor did since the last frame, less what is sent.
            coalesced += end - cursors[a] - (kept.Count - keptBefore);
            cursors[a] = end;
        }

        kept.Sort(static (x, y) => x.Timestamp.CompareTo(y.Timestamp));
        foreach (var e in kept)
        {
            into.Add(recorder.ToDto(e));
        }

        return coalesced;
    }
}
