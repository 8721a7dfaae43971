using Playground.Client.Components;
using Playground.Shared.Catalog;
using Playground.Shared.Runs;
using Playground.Shared.Text;

namespace Playground.Client.Tests;

public sealed class RunSummaryViewTests : PlaygroundTestContext
{
    private static readonly ActorSummary Producer = new(0, "producer-0", "producer", 20, 100, 5, 0, 2, 0);
    private static readonly ActorSummary Consumer = new(1, "consumer-0", "consumer", 20, 300, 50, 0, 7, 0);

    private static RunSummary Summary(IReadOnlyList<ActorSummary> actors, IReadOnlyList<GaugeSummary> gauges) =>
        new(1500, 13.3, Msg.Of("unit.itemsPerSecond"), 200, 0, actors, [],
            new Verdict(true, Msg.Of("pc.invariant"), []), [], gauges);

    private IRenderedComponent<RunSummaryView> RenderSummary(RunSummary summary, string? scenario = ProducerConsumerSchema.Id) =>
        Render<RunSummaryView>(p => p
            .Add(c => c.Summary, summary)
            .Add(c => c.State, RunState.Completed)
            .Add(c => c.ScenarioId, scenario));

    [Theory]
    [InlineData("en", "Queue depth", "Highest")]
    [InlineData("zh-CN", "队列长度", "最高")]
    public void Each_gauge_shows_its_extremes_and_limit_in_the_readers_language(string culture, string label, string highest)
    {
        using var scope = new CultureScope(culture);
        var depth = new GaugeSummary("depth", "step", Msg.Of("gauge.producer-consumer.depth"), 41, 0, 5, 1234.5, 5);

        var view = RenderSummary(Summary([Producer, Consumer], [depth]));

        var table = view.Find(".gauges-table");
        Assert.Contains(highest, table.QuerySelector("thead")!.TextContent, StringComparison.Ordinal);
        var row = view.Find(".gauges-table tr[data-gauge=depth]");
        Assert.Equal(label, row.QuerySelector(".gauge-name")!.TextContent);
        var cells = row.QuerySelectorAll("td").Select(c => c.TextContent.Trim()).ToList();
        Assert.Equal("0", cells[0]);
        Assert.Equal("5", cells[1]);
        Assert.Contains("1.23", cells[2], StringComparison.Ordinal);
        Assert.Equal("5", cells[3]);
        Assert.Empty(view.FindAll(".gauge-over"));
    }

    [Fact]
    public void A_gauge_over_its_limit_says_so_in_words_and_one_without_a_limit_gets_no_column()
    {
        var over = new GaugeSummary("depth", "step", Msg.Of("gauge.producer-consumer.depth"), 10, 0, 7, 50, 5);
        var view = RenderSummary(Summary([Producer], [over]));
        Assert.Contains("over the limit", view.Find(".gauge-over").TextContent, StringComparison.Ordinal);

        var unbounded = over with { Limit = null, Max = 70 };
        view = RenderSummary(Summary([Producer], [unbounded]));
        Assert.Empty(view.FindAll(".gauge-over"));
        Assert.DoesNotContain("Limit", view.Find(".gauges-table thead").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public void A_band_reads_on_and_off_and_a_gauge_without_readings_says_so()
    {
        var flag = new GaugeSummary("flag", "band", Msg.Of("gauge.producer-consumer.depth"), 4, 0, 1, 10, null);
        var silent = new GaugeSummary("left", "step", Msg.Of("gauge.producer-consumer.depth"), 0, 0, 0, 0, null);

        var view = RenderSummary(Summary([Producer], [flag, silent]));

        var cells = view.Find("tr[data-gauge=flag]").QuerySelectorAll("td").Select(c => c.TextContent.Trim()).ToList();
        Assert.Equal("off", cells[0]);
        Assert.Equal("on", cells[1]);
        Assert.Contains("no readings", view.Find("tr[data-gauge=left]").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public void No_gauges_no_gauge_table()
    {
        var view = RenderSummary(Summary([Producer], []));

        Assert.Empty(view.FindAll(".gauges-table"));
    }

    [Theory]
    [InlineData(ProducerConsumerSchema.Id, "en", "Items")]
    [InlineData(ProducerConsumerSchema.Id, "zh-CN", "处理数")]
    [InlineData("no-such-scenario", "en", "Count")]
    [InlineData(null, "zh-CN", "计数")]
    public void The_count_column_is_named_by_the_scenario_or_plainly(string? scenario, string culture, string header)
    {
        using var scope = new CultureScope(culture);

        var view = RenderSummary(Summary([Producer, Consumer], []), scenario);

        var headers = view.FindAll(".actors-table th").Select(h => h.TextContent.Trim()).ToList();
        Assert.Equal(header, headers[2]);
    }

    [Fact]
    public void Polls_show_only_when_some_actor_polled()
    {
        var view = RenderSummary(Summary([Producer, Consumer], []));
        Assert.Equal(7, view.FindAll(".actors-table thead th").Count);
        Assert.All(view.FindAll(".actors-table tbody tr"), r => Assert.Equal(7, r.QuerySelectorAll("td").Length));

        view = RenderSummary(Summary([Producer, Consumer with { Polls = 12 }], []));
        Assert.Equal(8, view.FindAll(".actors-table thead th").Count);
        Assert.Equal("12", view.FindAll(".actors-table tbody tr")[1].QuerySelectorAll("td")[7].TextContent);
    }

    [Fact]
    public void A_hundred_actors_show_a_few_rows_until_the_reader_asks_for_all()
    {
        var cars = Enumerable.Range(0, 100).Select(i => new ActorSummary(i, $"car-{i + 1}", "car", 1, 1, 2, 3, 1, 0)).ToList();
        var view = RenderSummary(Summary(cars, []), "semaphore");

        Assert.Equal(10, view.FindAll(".actors-table tbody tr").Count);
        var toggle = view.Find(".actors-toggle");
        Assert.Contains("100", toggle.TextContent, StringComparison.Ordinal);
        Assert.Equal("false", toggle.GetAttribute("aria-expanded"));

        toggle.Click();
        Assert.Equal(100, view.FindAll(".actors-table tbody tr").Count);
        Assert.Equal("true", view.Find(".actors-toggle").GetAttribute("aria-expanded"));

        var few = RenderSummary(Summary([Producer, Consumer], []));
        Assert.Equal(2, few.FindAll(".actors-table tbody tr").Count);
        Assert.Empty(few.FindAll(".actors-toggle"));
    }
}
