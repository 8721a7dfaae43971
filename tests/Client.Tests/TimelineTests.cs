using System.Globalization;
using Playground.Client.Components;
using Playground.Shared.Catalog;
using Playground.Shared.Events;

namespace Playground.Client.Tests;

public sealed class TimelineTests : PlaygroundTestContext
{
    private const string ModulePath = "./_content/Playground.Client/timeline.js";

    [Fact]
    public void Legend_toolbar_and_help_speak_the_readers_language()
    {
        using var culture = new CultureScope("zh-CN");
        var timeline = Render<Timeline>(p => p.Add(t => t.Scenario, ProducerConsumerSchema.Descriptor));

        timeline.InvokeAsync(() => timeline.Instance.OnMarksDrawn(["sentinel"]));

        var legend = timeline.Find(".timeline-legend").TextContent;
        Assert.Contains("阻塞", legend, StringComparison.Ordinal);
        Assert.Contains("队列长度", legend, StringComparison.Ordinal);
        Assert.Contains("哨兵（None）", legend, StringComparison.Ordinal);
        Assert.Contains("全部显示", timeline.Find(".timeline-fit").TextContent, StringComparison.Ordinal);
        Assert.Contains("双指", timeline.Find(".timeline-help").TextContent, StringComparison.Ordinal);
        Assert.Equal("zh-CN", timeline.Find(".timeline-root").GetAttribute("lang"));
    }

    [Fact]
    public void Script_gets_the_lane_state_machine_every_text_the_culture_and_the_help_it_is_described_by()
    {
        var module = JSInterop.SetupModule(ModulePath);
        module.SetupModule(i => i.Identifier == "createTimeline");

        var timeline = Render<Timeline>(p => p.Add(t => t.RunId, "run1"));

        var create = module.VerifyInvoke("createTimeline");
        var options = Assert.IsType<TimelineOptions>(create.Arguments[2]);
        Assert.Equal(LaneStates.Table, options.LaneStates);
        Assert.Equal(EventKinds.All, options.Kinds);
        Assert.Equal("{label}: {value}", options.Strings["gauge.value"]);
        Assert.Equal("{actor} put item {item}", options.Strings["put.item"]);
        Assert.Equal(CultureInfo.CurrentUICulture.Name, options.Culture);
        Assert.Equal(options.DescribedBy, timeline.Find(".timeline-help").Id);
    }

    [Fact]
    public void A_run_is_watched_with_its_scenarios_gauges_labelled_in_the_readers_language()
    {
        using var culture = new CultureScope("zh-CN");
        var module = JSInterop.SetupModule(ModulePath);
        var drawn = module.SetupModule(i => i.Identifier == "createTimeline");

        Render<Timeline>(p => p.Add(t => t.RunId, "run1").Add(t => t.Scenario, ProducerConsumerSchema.Descriptor));

        var watch = drawn.VerifyInvoke("watch");
        Assert.Equal("run1", watch.Arguments[0]);
        var gauges = Assert.IsAssignableFrom<IReadOnlyList<TimelineGauge>>(watch.Arguments[1]);
        var gauge = Assert.Single(gauges);
        Assert.Equal(new TimelineGauge("depth", "queue", "step", "队列长度", "容量 {n}", ProducerConsumerSchema.Capacity), gauge);
    }

    [Fact]
    public void Gauges_of_every_style_get_their_own_legend_entry_and_format_strings_are_left_to_the_script()
    {
        var scenario = ProducerConsumerSchema.Descriptor with
        {
            Gauges =
            [
                new GaugeSpec { Id = "depth", Resource = "queue", LimitParameter = ProducerConsumerSchema.Capacity },
                new GaugeSpec { Id = "flag", Resource = "event", Style = GaugeStyle.Band },
            ],
        };
        var timeline = Render<Timeline>(p => p.Add(t => t.Scenario, scenario));

        var entries = timeline.FindAll(".timeline-legend-gauge");
        Assert.Equal(["depth", "flag"], entries.Select(e => e.GetAttribute("data-gauge")));
        Assert.NotNull(entries[0].QuerySelector(".swatch-step"));
        Assert.NotNull(entries[1].QuerySelector(".swatch-band"));
        Assert.Equal("Queue depth", entries[0].TextContent);
        // No message for this gauge: its key shows, so the gap is noticed.
        Assert.Equal("gauge.producer-consumer.flag", entries[1].TextContent);

        var gauges = timeline.Instance.Gauges();
        Assert.Equal("band", gauges[1].Style);
        Assert.Null(gauges[1].LimitLabel);
    }

    [Fact]
    public void The_legend_explains_only_the_marks_the_script_drew()
    {
        var timeline = Render<Timeline>(p => p.Add(t => t.Scenario, ProducerConsumerSchema.Descriptor));
        Assert.Empty(timeline.FindAll(".timeline-legend-mark"));

        timeline.InvokeAsync(() => timeline.Instance.OnMarksDrawn(["fault", "put", "no-such-mark"]));
        timeline.InvokeAsync(() => timeline.Instance.OnMarksDrawn(["crash", "put"]));

        var marks = timeline.FindAll(".timeline-legend-mark");
        // In the legend's own order, each once, and nothing the legend does not know.
        Assert.Equal(["put", "fault", "crash"], marks.Select(m => m.GetAttribute("data-mark")));
        Assert.Contains("error raised", marks[1].TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public void Marked_items_and_theme_reach_the_script_and_the_legend()
    {
        var module = JSInterop.SetupModule(ModulePath);
        var drawn = module.SetupModule(i => i.Identifier == "createTimeline");

        var timeline = Render<Timeline>(p => p.Add(t => t.RunId, "run1"));
        Assert.Empty(timeline.FindAll(".timeline-legend-lost"));
        Assert.DoesNotContain("timeline-dark", timeline.Find(".timeline-root").ClassName, StringComparison.Ordinal);

        timeline.Render(p => p.Add(t => t.MarkedItems, new long[] { 3, 17 }).Add(t => t.Dark, true));

        var marks = drawn.VerifyInvoke("markItems");
        Assert.Equal(new long[] { 3, 17 }, Assert.IsType<long[]>(marks.Arguments[0]));
        drawn.VerifyInvoke("setTheme");
        Assert.Single(timeline.FindAll(".timeline-legend-lost"));
        Assert.Contains("timeline-dark", timeline.Find(".timeline-root").ClassName, StringComparison.Ordinal);
    }
}
