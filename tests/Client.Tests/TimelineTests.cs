using System.Globalization;
using Playground.Client.Components;

namespace Playground.Client.Tests;

public sealed class TimelineTests : PlaygroundTestContext
{
    private const string ModulePath = "./_content/Playground.Client/timeline.js";

    [Fact]
    public void Legend_toolbar_and_help_speak_the_readers_language()
    {
        var before = CultureInfo.CurrentUICulture;
        try
        {
            CultureInfo.CurrentUICulture = CultureInfo.GetCultureInfo("zh-CN");
            var timeline = Render<Timeline>();

            var legend = timeline.Find(".timeline-legend").TextContent;
            Assert.Contains("阻塞", legend, StringComparison.Ordinal);
            Assert.Contains("哨兵（None）", legend, StringComparison.Ordinal);
            Assert.Contains("全部显示", timeline.Find(".timeline-fit").TextContent, StringComparison.Ordinal);
            Assert.Contains("双指", timeline.Find(".timeline-help").TextContent, StringComparison.Ordinal);
            Assert.Equal("zh-CN", timeline.Find(".timeline-root").GetAttribute("lang"));
        }
        finally
        {
            CultureInfo.CurrentUICulture = before;
        }
    }

    [Fact]
    public void Script_gets_every_text_the_culture_and_the_help_it_is_described_by()
    {
        var module = JSInterop.SetupModule(ModulePath);
        module.SetupModule(i => i.Identifier == "createTimeline");

        var timeline = Render<Timeline>(p => p.Add(t => t.RunId, "run1"));

        var create = module.VerifyInvoke("createTimeline");
        var options = Assert.IsType<TimelineOptions>(create.Arguments[2]);
        Assert.Equal("Queue depth", options.Strings["axis.queueDepth"]);
        Assert.Equal("{actor} put item {item}", options.Strings["put.item"]);
        Assert.Equal(CultureInfo.CurrentUICulture.Name, options.Culture);
        Assert.Equal(options.DescribedBy, timeline.Find(".timeline-help").Id);
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
