using System.Runtime.CompilerServices;
using Microsoft.Extensions.Options;
using Playground.Scenarios.Recording;
using Playground.Shared.Events;
using Playground.Shared.Runs;

namespace Playground.Server.Runs;

/// <summary>
/// Streams a run's log to one viewer in batches, from the first event, then live. Each viewer
/// keeps only a cursor per actor into the shared log, so a slow viewer costs no memory: when more
/// than a frame's budget is pending, it gets each actor's last state change and last level instead
/// of every event, with the number left out. The recorded log itself is never thinned.
/// </summary>
public sealed class RunEventStream
{
    private readonly RunOptions _options;

    public RunEventStream(IOptions<RunOptions> options) => _options = options.Value;

    public async IAsyncEnumerable<EventBatch> StreamAsync(Run run, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var frame = TimeSpan.FromMilliseconds(Math.Max(1, _options.ViewerFrameMilliseconds));
        int[]? cursors = null;
        var lastState = (RunState)(-1);
        var lastInfoVersion = -1;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var changed = run.Changed;
            var info = run.ToInfo();
            var final = info.State.IsFinal();
            var recorder = run.Recorder;
            List<RunEventDto> events = [];
            long coalesced = 0;
            if (recorder is not null)
            {
                cursors ??= new int[recorder.ActorCount];
                coalesced = Read(recorder, cursors, events);
            }

            var infoVersion = InfoVersion(info);
            var sendInfo = info.State != lastState || infoVersion != lastInfoVersion || final;
            if (events.Count > 0 || coalesced > 0 || sendInfo)
            {
                yield return new EventBatch(run.Id, events, coalesced, info.State, sendInfo ? info : null, final);
            }

            lastState = info.State;
            lastInfoVersion = infoVersion;
            if (final)
            {
                yield break;
            }

            // Wait for a state change or the next frame, whichever comes first.
            await Task.WhenAny(changed, Task.Delay(frame, cancellationToken));
        }
    }

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

            var n = end - cursors[a];
            if (state is { } s)
            {
                kept.Add(s);
                n--;
            }

            if (level is { } l && (state is null || l != state.Value))
            {
                kept.Add(l);
                n--;
            }

            coalesced += Math.Max(0, n - kept.Count(k => k.Actor == a && k.Kind == EventKind.Crash));
            cursors[a] = end;
        }

        kept.Sort(static (x, y) => x.Timestamp.CompareTo(y.Timestamp));
        foreach (var e in kept)
        {
            into.Add(recorder.ToDto(e));
        }

        return coalesced;
    }

    private static int InfoVersion(RunInfo info) =>
        HashCode.Combine(info.State, info.QueuePosition, info.Actors.Count(a => a.ThreadId is not null || a.Pid != 0), info.Summary is null);
}
