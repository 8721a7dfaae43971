using System.Diagnostics;
using Playground.Scenarios.Engine;
using Playground.Scenarios.Recording;
using Playground.Shared.Events;

namespace Playground.Scenarios.Tests;

public sealed class ActorTimelineTests
{
    /// <summary>Records <paramref name="kind"/> only once the clock has moved past the previous event.</summary>
    private static void Next(ActorLog log, EventKind kind, string? resource = null)
    {
        if (log.Count > 0)
        {
            TestSupport.ClockPast(log[log.Count - 1].Timestamp);
        }

        log.Record(kind, resource);
    }

    [Fact]
    public void Start_wait_get_work_end_gives_busy_and_blocked_time_and_one_wait()
    {
        using var recorder = new EventRecorder(1, 10_000);
        var log = recorder[0];
        Next(log, EventKind.Start);
        Next(log, EventKind.Wait, "queue:empty");
        Next(log, EventKind.Get, "queue");
        Next(log, EventKind.Work, "eat");
        Next(log, EventKind.End);

        var times = Assert.Single(ActorTimeline.Measure(recorder, Stopwatch.GetTimestamp()));

        Assert.True(times.BlockedMs > 0);
        Assert.True(times.BusyMs > 0);
        Assert.Equal(0, times.SleepMs);
        Assert.Equal(1, times.Waits);
        Assert.Equal(0, times.Polls);
        // Busy and blocked together cover the lane from start to end, nothing more.
        var lane = (log[log.Count - 1].Timestamp - log[0].Timestamp) * 1000.0 / Stopwatch.Frequency;
        Assert.Equal(lane, times.BusyMs + times.BlockedMs, 6);
    }

    [Fact]
    public void Sleeping_and_polling_are_counted_and_an_open_lane_is_closed_at_the_end()
    {
        using var recorder = new EventRecorder(2, 10_000);
        var log = recorder[0];
        Next(log, EventKind.Start);
        Next(log, EventKind.Poll, "queue:empty");
        Next(log, EventKind.Sleep, "poll interval");
        Next(log, EventKind.Poll, "queue:empty");
        Next(log, EventKind.Sleep, "poll interval");
        TestSupport.ClockPast(log[log.Count - 1].Timestamp);

        var times = ActorTimeline.Measure(recorder, Stopwatch.GetTimestamp());

        Assert.Equal(2, times[0].Polls);
        Assert.Equal(0, times[0].Waits);
        Assert.True(times[0].SleepMs > 0);
        Assert.True(times[0].BusyMs > 0);
        Assert.Equal(new ActorTimes(0, 0, 0, 0, 0), times[1]);
    }
}
