using Playground.Scenarios.Recording;
using Playground.Shared.Events;

namespace Playground.Scenarios.Engine;

/// <summary>Time an actor spent in each lane state, and how often it blocked or polled.</summary>
public sealed record ActorTimes(double BusyMs, double BlockedMs, double SleepMs, long Waits, long Polls);

/// <summary>Derives each actor's time per state from its events, as the timeline draws them.</summary>
public static class ActorTimeline
{
    /// <summary>Per-actor state times; <paramref name="endTimestamp"/> closes lanes that never ended.</summary>
    public static ActorTimes[] Measure(EventRecorder recorder, long endTimestamp)
    {
        var result = new ActorTimes[recorder.ActorCount];
        var toMs = 1000.0 / System.Diagnostics.Stopwatch.Frequency;
        for (var a = 0; a < recorder.ActorCount; a++)
        {
            var log = recorder[a];
            var count = log.Count;
            double busy = 0, blocked = 0, sleep = 0;
            long waits = 0, polls = 0;
            var state = LaneState.Idle;
            long since = 0;

            void Close(long now)
            {
                var ms = (now - since) * toMs;
                switch (state)
                {
                    case LaneState.Running: busy += ms; break;
                    case LaneState.Sleeping: sleep += ms; break;
                    case LaneState.Blocked: blocked += ms; break;
                }

                since = now;
            }

            for (var i = 0; i < count; i++)
            {
                var e = log[i];
                if (state == LaneState.Done)
                {
                    break;
                }

                var next = LaneStates.Next(state, e.Kind);
                if (e.Kind == EventKind.Wait)
                {
                    waits++;
                }
                else if (e.Kind == EventKind.Poll)
                {
                    polls++;
                }

                if (next != state)
                {
                    Close(e.Timestamp);
                    state = next;
                }
            }

            if (state != LaneState.Done && state != LaneState.Idle)
            {
                Close(endTimestamp);
            }

            result[a] = new ActorTimes(busy, blocked, sleep, waits, polls);
        }

        return result;
    }
}
