using Playground.Scenarios.Engine;
using Playground.Scenarios.Recording;
using Playground.Shared.Catalog;
using Playground.Shared.Events;

namespace Playground.Scenarios.Tests;

public sealed class GaugeExtremesTests
{
    private static readonly GaugeSpec Depth = new() { Id = "depth", Resource = "queue" };
    private static readonly GaugeSpec Flag = new() { Id = "flag", Resource = "event", Style = GaugeStyle.Band };

    [Fact]
    public void Each_gauge_gets_its_lowest_highest_and_when_the_highest_came_first_across_actors()
    {
        using var recorder = new EventRecorder(2, 10_000);
        var t = recorder.StartTimestamp;
        recorder[0].RecordAt(t + 10, EventKind.Put, "queue", 1, 1);
        recorder[0].RecordAt(t + 20, EventKind.Put, "queue", 2, 2);
        recorder[0].RecordAt(t + 50, EventKind.Wait, "queue:full", 3, 3);  // a detail of the queue counts too
        recorder[0].RecordAt(t + 90, EventKind.Put, "queue", 3, 3);
        recorder[1].RecordAt(t + 30, EventKind.Put, "queue", 4, 3);        // the highest, first reached by the other actor
        recorder[1].RecordAt(t + 60, EventKind.Get, "queue", 1, 0);
        recorder[1].RecordAt(t + 70, EventKind.Poll, "queue:empty", 0, -1);  // no level: not a reading
        recorder[1].RecordAt(t + 80, EventKind.Set, "events", 0, 9);       // "events" is not "event"

        var ranges = GaugeExtremes.Measure(recorder, [Depth, Flag]);

        Assert.Equal(new GaugeRange(6, 0, 3, t + 30), ranges[0]);
        Assert.Equal(0, ranges[1].Readings);
    }

    [Fact]
    public void No_gauges_no_ranges()
    {
        using var recorder = new EventRecorder(1, 10);
        recorder[0].Record(EventKind.Put, "queue", 1, 1);

        Assert.Empty(GaugeExtremes.Measure(recorder, []));
    }
}
