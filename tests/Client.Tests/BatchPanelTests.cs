using System.Text.RegularExpressions;
using AngleSharp.Dom;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using Playground.Client.Pages;
using Playground.Shared.Catalog;
using Playground.Shared.Runs;
using Playground.Shared.Text;

namespace Playground.Client.Tests;

/// <summary>
/// The "run it N times" panel, on the semaphore page given a batch spec of its own (the kind, and
/// the runs' wall time), as a scenario that ships one would have it.
/// </summary>
public sealed partial class BatchPanelTests : PlaygroundTestContext
{
    // The watch hands states over through the thread pool, which a busy machine may keep waiting.
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    private static readonly ScenarioDescriptor WithBatch = SemaphoreSchema.Descriptor with
    {
        Batch = new BatchSpec { Vary = SemaphoreSchema.Kind, Measure = "wallMs" },
    };

    public BatchPanelTests()
    {
        Runs.Scenarios = [ProducerConsumerSchema.Descriptor, WithBatch, EventSchema.Descriptor, .. ScenarioCatalog.Coming];
    }

    private IRenderedComponent<Play> RenderPlay(string scenario, string relativeUrl)
    {
        Services.GetRequiredService<NavigationManager>().NavigateTo(relativeUrl);
        return Render<Play>(p => p.Add(c => c.ScenarioId, scenario));
    }

    private static IElement StartButton(IRenderedComponent<Play> page) => page.Find("button.batch-start");

    private static BatchInfo Batch(BatchState state, int done, Msg? reason, params BatchRow[] rows) =>
        new("batch-1", SemaphoreSchema.Id, state, done, 40, 20, "wallMs", rows, reason, DateTimeOffset.UnixEpoch, state.IsFinal() ? DateTimeOffset.UnixEpoch : null);

    private static BatchRow Row(string kind, int runs, int violated, double? mean) =>
        new(new Dictionary<string, string> { ["kind"] = kind }, runs, violated, mean, [.. Enumerable.Range(0, runs).Select(i => $"{kind}-{i}")]);

    private IRenderedComponent<Play> StartedPage()
    {
        var page = RenderPlay(SemaphoreSchema.Id, "/play/semaphore?workers=10&timeScale=0.01");
        StartButton(page).Click();
        return page;
    }

    [Fact]
    public void The_panel_shows_for_a_scenario_with_a_batch_spec_and_not_for_one_without()
    {
        var semaphore = RenderPlay(SemaphoreSchema.Id, "/play/semaphore");
        Assert.Single(semaphore.FindAll(".batch-panel"));

        var pc = RenderPlay(ProducerConsumerSchema.Id, "/play/producer-consumer");
        Assert.Empty(pc.FindAll(".batch-panel"));
    }

    [Fact]
    public void The_shipped_semaphore_has_no_batch_panel()
    {
        Runs.Scenarios = [SemaphoreSchema.Descriptor];

        var page = RenderPlay(SemaphoreSchema.Id, "/play/semaphore");

        Assert.Empty(page.FindAll(".batch-panel"));
    }

    [Fact]
    public void Start_runs_twenty_of_each_ticked_option_with_the_forms_other_values()
    {
        using var culture = new CultureScope("en");
        var page = RenderPlay(SemaphoreSchema.Id, "/play/semaphore?workers=10&kind=bounded&timeScale=0.01");

        var options = page.FindAll(".batch-option");
        Assert.Equal(["Counting (threading.Semaphore)", "Bounded (threading.BoundedSemaphore)"], options.Select(o => o.TextContent.Trim()));
        Assert.All(page.FindAll(".batch-option input"), box => Assert.True(box.IsChecked()));
        Assert.Equal("20", page.Find(".batch-repeat input").GetAttribute("value"));
        Assert.Contains("Run 40 times", StartButton(page).TextContent, StringComparison.Ordinal);

        StartButton(page).Click();

        var started = Assert.Single(Batches.Started);
        Assert.Equal(SemaphoreSchema.Id, started.Scenario);
        Assert.Equal(20, started.Repeat);
        Assert.Equal(["counting", "bounded"], started.Vary!["kind"]);
        Assert.Equal("10", started.Parameters!["workers"]);
        Assert.Equal("0.01", started.Parameters!["timeScale"]);
        Assert.Empty(Runs.Started);
    }

    [Fact]
    public void Unticking_an_option_leaves_it_out_and_unticking_all_turns_start_off_saying_why()
    {
        using var culture = new CultureScope("en");
        var page = RenderPlay(SemaphoreSchema.Id, "/play/semaphore");

        page.Find("input[data-option='counting']").Change(false);
        Assert.Contains("Run 20 times", StartButton(page).TextContent, StringComparison.Ordinal);
        page.Find("input[data-option='bounded']").Change(false);

        Assert.True(StartButton(page).HasAttribute("disabled"));
        Assert.Contains("Tick at least one Semaphore kind", page.Find(".batch-blocked").TextContent, StringComparison.Ordinal);
        page.Find("input[data-option='bounded']").Change(true);
        StartButton(page).Click();
        Assert.Equal(["bounded"], Assert.Single(Batches.Started).Vary!["kind"]);
    }

    [Theory]
    [InlineData("51")]
    [InlineData("0")]
    [InlineData("two")]
    public void A_repeat_count_outside_1_to_50_turns_start_off_and_names_the_range(string text)
    {
        using var culture = new CultureScope("en");
        var page = RenderPlay(SemaphoreSchema.Id, "/play/semaphore");

        page.Find(".batch-repeat input").Input(text);

        Assert.True(StartButton(page).HasAttribute("disabled"));
        Assert.Contains("whole number from 1 to 50", page.Find(".batch-blocked").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public void A_bad_field_in_the_form_turns_start_off_and_names_the_field()
    {
        using var culture = new CultureScope("en");
        var page = RenderPlay(SemaphoreSchema.Id, "/play/semaphore");

        page.Find("[data-param='workers'] input").Input("999");

        Assert.True(StartButton(page).HasAttribute("disabled"));
        Assert.Contains("“Cars”", page.Find(".batch-blocked").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public void Progress_then_bars_with_counts_and_the_mean_in_English()
    {
        using var culture = new CultureScope("en");
        var page = StartedPage();

        Batches.Send(Batch(BatchState.Running, 12, null, Row("counting", 6, 2, 38.5), Row("bounded", 6, 0, 21)));
        page.WaitForAssertion(() => Assert.Contains("12 of 40 runs done", page.Find(".batch-progress").TextContent, StringComparison.Ordinal), Patience);
        Assert.Single(page.FindAll("button.batch-cancel"));
        Assert.True(StartButton(page).HasAttribute("disabled"));

        Batches.Send(Batch(BatchState.Completed, 40, null, Row("counting", 20, 7, 41.254), Row("bounded", 20, 0, 22)));
        page.WaitForAssertion(() => Assert.Equal("completed", page.Find(".batch-result").GetAttribute("data-state")), Patience);

        var rows = page.FindAll(".batch-row");
        Assert.Equal(2, rows.Count);
        Assert.Equal("Counting (threading.Semaphore)", rows[0].QuerySelector(".batch-row-label")!.TextContent.Trim());
        Assert.Equal("invariant violated in 7 of 20 runs · mean 41.25 ms of wall time", rows[0].QuerySelector(".batch-row-text")!.TextContent.Trim());
        Assert.Equal("invariant violated in 0 of 20 runs · mean 22 ms of wall time", rows[1].QuerySelector(".batch-row-text")!.TextContent.Trim());
        Assert.Contains("width: 35%", rows[0].QuerySelector(".batch-bar-fill")!.GetAttribute("style"), StringComparison.Ordinal);
        Assert.Contains("width: 0%", rows[1].QuerySelector(".batch-bar-fill")!.GetAttribute("style"), StringComparison.Ordinal);
        Assert.Equal("35% of runs violated the invariant", rows[0].QuerySelector(".batch-bar")!.GetAttribute("aria-label"));
        Assert.Equal("img", rows[0].QuerySelector(".batch-bar")!.GetAttribute("role"));
        Assert.Contains("All 40 runs done.", page.Find(".batch-status").TextContent, StringComparison.Ordinal);
        Assert.Empty(page.FindAll("button.batch-cancel"));
        Assert.False(StartButton(page).HasAttribute("disabled"));
    }

    [Fact]
    public void Progress_and_bars_read_in_Chinese_with_no_English_and_no_raw_keys()
    {
        using var culture = new CultureScope("zh-CN");
        var page = StartedPage();

        Batches.Send(Batch(BatchState.Completed, 40, null, Row("counting", 20, 7, 41.25), Row("bounded", 20, 0, 22)));
        page.WaitForAssertion(() => Assert.Equal("completed", page.Find(".batch-result").GetAttribute("data-state")), Patience);

        var panel = page.Find(".batch-panel");
        Assert.Contains("重复运行 N 次", panel.TextContent, StringComparison.Ordinal);
        Assert.Contains("已完成 40/40 次", panel.TextContent, StringComparison.Ordinal);
        var rows = page.FindAll(".batch-row");
        Assert.Equal("20 次中有 7 次违反不变式 · 平均耗时（毫秒） 41.25", rows[0].QuerySelector(".batch-row-text")!.TextContent.Trim());
        Assert.Equal("35% 的运行违反了不变式", rows[0].QuerySelector(".batch-bar")!.GetAttribute("aria-label"));
        var english = VisibleTexts(panel).SelectMany(t => Words().Matches(t).Select(m => m.Value))
            .Where(w => w is not ("Semaphore" or "BoundedSemaphore" or "threading" or "N")).Distinct().ToList();
        Assert.True(english.Count == 0, "English in the Chinese panel: " + string.Join(", ", english));
        Assert.DoesNotContain(VisibleTexts(panel), t => RawKey().IsMatch(t));
    }

    [Fact]
    public void A_waiting_batch_says_why_and_a_failed_one_says_what_stopped_it()
    {
        using var culture = new CultureScope("en");
        var page = StartedPage();

        Batches.Send(Batch(BatchState.Queued, 0, Msg.Of("busy.client", ("mine", 2), ("max", 2)), Row("counting", 0, 0, null), Row("bounded", 0, 0, null)));
        page.WaitForAssertion(() => Assert.Contains("Waiting: you already have 2 run(s) queued or running", page.Find(".batch-status").TextContent, StringComparison.Ordinal), Patience);
        Assert.Contains("no run finished yet", page.Find(".batch-row-text").TextContent, StringComparison.Ordinal);

        Batches.Send(Batch(BatchState.Failed, 3, Msg.Of("batch.runFailed", ("id", "abc"), ("reason", Msg.Of("reason.deadline", ("seconds", 30)))),
            Row("counting", 1, 1, 40), new BatchRow(new Dictionary<string, string> { ["kind"] = "bounded" }, 1, 0, 20, ["b-0", "b-1"])));
        page.WaitForAssertion(() => Assert.Equal("failed", page.Find(".batch-result").GetAttribute("data-state")), Patience);
        Assert.Contains("Stopped after 3 of 40 runs: run abc did not finish: stopped at the 30 s deadline", page.Find(".batch-status").TextContent, StringComparison.Ordinal);
        Assert.Contains("1 ended without a result", page.FindAll(".batch-row-text")[1].TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public void A_refused_batch_says_why_and_when_to_try_again()
    {
        using var culture = new CultureScope("en");
        Batches.NextResult = new BatchStartResult(null, StartRefusal.Busy,
            Msg.Of("batch.busy.client", ("mine", 1), ("max", 1)), [], TimeSpan.FromSeconds(10));

        var page = StartedPage();

        var alert = page.Find(".batch-refused");
        Assert.Contains("The batch was not started.", alert.TextContent, StringComparison.Ordinal);
        Assert.Contains("you already have 1 batch(es) queued or running", alert.TextContent, StringComparison.Ordinal);
        Assert.Contains("Try again in about 10 s.", alert.TextContent, StringComparison.Ordinal);
        Assert.Empty(page.FindAll(".batch-result"));
    }

    [Fact]
    public void A_page_opened_while_its_batch_runs_shows_it_and_cancel_stops_it()
    {
        using var culture = new CultureScope("en");
        Batches.Mine.Add(Batch(BatchState.Running, 5, null, Row("counting", 3, 1, 40), Row("bounded", 2, 0, 20)));

        var page = RenderPlay(SemaphoreSchema.Id, "/play/semaphore");

        Assert.Contains("5 of 40 runs done", page.Find(".batch-progress").TextContent, StringComparison.Ordinal);
        page.Find("button.batch-cancel").Click();
        Assert.Equal(["batch-1"], Batches.Cancelled);
    }

    private static List<string> VisibleTexts(IElement root) =>
        [.. root.GetDescendants().OfType<IText>()
            .Where(t => t.ParentElement?.Closest("code, script, style") is null && !string.IsNullOrWhiteSpace(t.Data))
            .Select(t => t.Data.Trim())];

    [GeneratedRegex(@"[A-Za-z_]{2,}")]
    private static partial Regex Words();

    [GeneratedRegex(@"\b(batch|sem|param|scenario|reason|busy)\.[A-Za-z]")]
    private static partial Regex RawKey();
}
