using System.Globalization;
using AngleSharp.Dom;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using Playground.Client.Components.Comparisons;
using Playground.Client.Pages;
using Playground.Shared.Runs;
using Playground.Shared.Text;
using S = Playground.Shared.Catalog.PoolSchema;

namespace Playground.Client.Tests;

/// <summary>
/// The pool's one-click comparisons on its page: what each starts, what blocks it, how its chart
/// reads the rows, and a link that reopens a result.
/// </summary>
public sealed class ComparisonPanelTests : PlaygroundTestContext
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    public ComparisonPanelTests()
    {
        Batches.Limits = new BatchLimits(50, 16, 200, 900);
    }

    private IRenderedComponent<Play> RenderPool(string relativeUrl = "/play/pool")
    {
        Services.GetRequiredService<NavigationManager>().NavigateTo(relativeUrl);
        return Render<Play>(p => p.Add(c => c.ScenarioId, S.Id));
    }

    private static IElement Start(IRenderedComponent<Play> page) => page.Find("button.comparison-start");

    private static RunMetric Wall(double ms) => new(BatchMeasures.WallMs, Msg.Of("pool.metric.wallMs"), ms, Msg.Of("unit.ms"));

    private static BatchRow Row(string executor, int size, double? wallMs, double? cpu = null) => new(
        new Dictionary<string, string> { [S.Executor] = executor, [S.PoolSize] = size.ToString(CultureInfo.InvariantCulture) },
        wallMs is null ? 0 : 2, 0, wallMs, [],
        wallMs is null ? [] : [Wall(wallMs.Value), .. cpu is { } c ? new[] { new RunMetric("cpuPercent", Msg.Of("pool.metric.cpuPercent"), c, Msg.Of("unit.percent")) } : []]);

    private static BatchInfo Sweep(BatchState state, params BatchRow[] rows) => new(
        "b-sweep", S.Id, state, rows.Sum(r => r.Runs), rows.Length * 2, 2, "wallMs", rows, null, DateTimeOffset.UnixEpoch, null,
        new Dictionary<string, string> { [S.Tasks] = "20", [S.TaskKind] = S.Cpu, [S.Gil] = S.On },
        new Dictionary<string, IReadOnlyList<string>>
        {
            [S.Executor] = [.. rows.Select(r => r.Values[S.Executor]).Distinct()],
            [S.PoolSize] = [.. rows.Select(r => r.Values[S.PoolSize]).Distinct()],
        });

    [Fact]
    public void The_pool_page_offers_both_comparisons_in_place_of_the_plain_batch_panel()
    {
        var page = RenderPool();

        Assert.Single(page.FindAll(".comparison-panel"));
        Assert.Empty(page.FindAll(".batch-panel"));
        var tabs = page.FindAll("button.comparison-tab").Select(t => t.TextContent.Trim()).ToList();
        Assert.Contains("Speed-up against pool size", tabs);
        Assert.Contains("Pool against a process per task", tabs);
        Assert.Equal("sweep", page.Find(".comparison").GetAttribute("data-comparison"));
    }

    [Fact]
    public void The_sweep_starts_one_batch_that_crosses_the_ticked_executors_with_pool_sizes_from_one_and_keeps_the_form()
    {
        var page = RenderPool("/play/pool?gil=on&tasks=8");
        // The default top is twice this machine's cores (2 to 8); two executors are ticked; two runs of each.
        var top = S.Descriptor.FindComparison(S.Sweep)!.DefaultTop;

        Assert.Contains($"{2 * top * 2} runs", Start(page).TextContent, StringComparison.Ordinal);
        Start(page).Click();

        var request = Assert.Single(Batches.Started);
        Assert.Equal(S.Id, request.Scenario);
        Assert.Equal(2, request.Repeat);
        Assert.Equal([S.ThreadPool, S.ProcessPool], request.Vary![S.Executor]);
        Assert.Equal(Enumerable.Range(1, top).Select(v => v.ToString(CultureInfo.InvariantCulture)), request.Vary[S.PoolSize]);
        Assert.Equal("on", request.Parameters![S.Gil]);
        Assert.Equal("8", request.Parameters[S.Tasks]);
        page.WaitForAssertion(() => Assert.Single(page.FindAll(".comparison-result")), Patience);
        Assert.Single(page.FindAll("button.comparison-cancel"));
    }

    [Fact]
    public void The_sweep_says_why_it_cannot_start_with_no_executor_ticked_or_a_top_past_what_the_caps_allow()
    {
        var page = RenderPool();

        page.Find(".comparison-series input[data-option='threadPool']").Change(false);
        page.Find(".comparison-series input[data-option='processPool']").Change(false);
        Assert.True(Start(page).HasAttribute("disabled"));
        Assert.Contains("Tick at least one Executor", page.Find(".comparison-blocked").TextContent, StringComparison.Ordinal);
        Assert.Empty(Batches.Started);

        page.Find(".comparison-series input[data-option='async']").Change(true);
        page.Find(".comparison-top input").Input("40");
        Assert.True(Start(page).HasAttribute("disabled"));
        Assert.Contains("from 2 to 16", page.Find(".comparison-blocked").TextContent, StringComparison.Ordinal);

        page.Find(".comparison-top input").Input("3");
        Assert.False(Start(page).HasAttribute("disabled"));
    }

    [Fact]
    public void The_chart_draws_each_executors_speed_up_over_its_own_single_worker_and_the_table_says_the_same()
    {
        var page = RenderPool();
        Start(page).Click();
        Batches.Send(Sweep(BatchState.Running,
            Row(S.ThreadPool, 1, 4000, 99), Row(S.ThreadPool, 2, 4000, 100), Row(S.ThreadPool, 3, null), Row(S.ThreadPool, 4, null),
            Row(S.ProcessPool, 1, 4200, 98), Row(S.ProcessPool, 2, 2100, 197), Row(S.ProcessPool, 3, null), Row(S.ProcessPool, 4, null)) with { Id = "batch-1" });

        page.WaitForAssertion(() => Assert.Equal(4, page.FindAll(".speedup-point").Count), Patience);
        string SpeedupAt(string executor, int size) =>
            page.Find($".speedup-series[data-series={executor}] .speedup-point[data-value='{size}']").GetAttribute("data-speedup")!;
        Assert.Equal("1", SpeedupAt(S.ThreadPool, 1));
        Assert.Equal("1", SpeedupAt(S.ThreadPool, 2));
        Assert.Equal("2", SpeedupAt(S.ProcessPool, 2));
        Assert.Equal("4", page.Find(".speedup-figure").GetAttribute("data-top"));

        var row = page.Find($".comparison-table tr[data-series={S.ProcessPool}][data-value='2']");
        Assert.Contains("2.10 s", row.TextContent, StringComparison.Ordinal);
        Assert.Contains("2.00×", row.TextContent, StringComparison.Ordinal);
        Assert.Contains("197 %", row.TextContent, StringComparison.Ordinal);
        var pending = page.Find($".comparison-table tr[data-series={S.ThreadPool}][data-value='4']");
        Assert.Contains("–", pending.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public void A_pool_against_a_process_per_task_compares_the_two_executors_and_gives_their_ratio()
    {
        var page = RenderPool("/play/pool?tasks=100&taskDuration=0");
        page.FindAll("button.comparison-tab").Single(t => t.TextContent.Contains("process per task", StringComparison.Ordinal)).Click();
        Assert.Equal("perTask", page.Find(".comparison").GetAttribute("data-comparison"));

        Start(page).Click();

        var request = Assert.Single(Batches.Started);
        Assert.Equal([S.ProcessPool, S.ProcessPerTask], Assert.Single(request.Vary!).Value);
        Assert.Equal(3, request.Repeat);
        Batches.Send(new BatchInfo("batch-1", S.Id, BatchState.Completed, 6, 6, 3, "wallMs",
            [
                new BatchRow(new Dictionary<string, string> { [S.Executor] = S.ProcessPool }, 3, 0, 500, [], [Wall(500)]),
                new BatchRow(new Dictionary<string, string> { [S.Executor] = S.ProcessPerTask }, 3, 0, 1500, [],
                    [Wall(1500), new RunMetric("processes", Msg.Of("pool.metric.processes"), 100)]),
            ], null, DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch,
            new Dictionary<string, string> { [S.Tasks] = "100" }, request.Vary));

        page.WaitForAssertion(() => Assert.Equal("3", page.Find(".comparison-ratio").GetAttribute("data-ratio")), Patience);
        Assert.Contains("A process per task took 3.00× as long as Process pool", page.Find(".comparison-ratio").TextContent, StringComparison.Ordinal);
        Assert.Contains("100", page.Find($".batch-row[data-value={S.ProcessPerTask}] .ratio-metric[data-metric=processes]").TextContent, StringComparison.Ordinal);
        Assert.Contains("compare=perTask&batch=batch-1", page.Find(".comparison-link input").GetAttribute("value"), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(12, ".comparison-quiet")]
    [InlineData(140, ".comparison-busy")]
    public void A_result_says_how_much_other_work_shared_the_machine_and_warns_when_it_was_busy(double others, string shown)
    {
        var page = RenderPool();
        Start(page).Click();
        Batches.Send(Sweep(BatchState.Completed, Row(S.ProcessPool, 1, 4000), Row(S.ProcessPool, 2, 2000)) with { Id = "batch-1", OtherCpuPercent = others });

        page.WaitForAssertion(() => Assert.Single(page.FindAll(shown)), Patience);
        Assert.Contains($"{others}%", page.Find(shown).TextContent, StringComparison.Ordinal);
        Assert.Empty(page.FindAll(shown == ".comparison-busy" ? ".comparison-quiet" : ".comparison-busy"));
    }

    [Fact]
    public void The_suggested_setup_puts_the_tutorials_numbers_into_the_form()
    {
        var page = RenderPool();
        page.FindAll("button.comparison-tab").Single(t => t.TextContent.Contains("process per task", StringComparison.Ordinal)).Click();

        page.Find("button.comparison-suggested").Click();

        Assert.Equal("100", page.Find("[data-param=tasks] input").GetAttribute("value"));
        Assert.Equal("0", page.Find("[data-param=taskDuration] input").GetAttribute("value"));
    }

    [Fact]
    public void A_link_to_someone_elses_result_shows_it_without_a_cancel_and_with_no_link_errors()
    {
        var shared = Sweep(BatchState.Running, Row(S.ProcessPool, 1, 4000), Row(S.ProcessPool, 2, 2000));
        Batches.Known[shared.Id] = shared;

        var page = RenderPool($"/play/pool?tasks=20&gil=on&compare=sweep&batch={shared.Id}");

        Assert.Empty(page.FindAll(".link-errors"));
        Assert.Equal(shared.Id, page.Find(".comparison-result").GetAttribute("data-batch"));
        Assert.Empty(page.FindAll("button.comparison-cancel"));
        Assert.Single(page.FindAll(".comparison-watching"));
        Assert.Equal("2", page.Find(".speedup-point[data-value='2']").GetAttribute("data-speedup"));

        // Watching locks nothing: the stranger may start a comparison of their own, which takes its place.
        Assert.False(Start(page).HasAttribute("disabled"));
        Start(page).Click();
        // The click first stops the watch of the shared batch, which ends on the thread pool.
        page.WaitForAssertion(() => Assert.Single(Batches.Started), Patience);
        page.WaitForAssertion(() => Assert.Equal("batch-1", page.Find(".comparison-result").GetAttribute("data-batch")), Patience);
    }

    [Fact]
    public void A_link_to_a_batch_that_is_no_comparison_says_so_instead_of_drawing_nothing()
    {
        var plain = new BatchInfo("b-plain", S.Id, BatchState.Completed, 2, 2, 1, "wallMs",
            [new BatchRow(new Dictionary<string, string> { [S.Submit] = S.Map }, 1, 0, 100, [], [Wall(100)])], null, DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch,
            new Dictionary<string, string>(), new Dictionary<string, IReadOnlyList<string>> { [S.Submit] = [S.Map] });
        Batches.Known[plain.Id] = plain;

        var page = RenderPool($"/play/pool?batch={plain.Id}");

        Assert.Contains("/api/batches/b-plain", page.Find(".comparison-other").TextContent, StringComparison.Ordinal);
        Assert.Empty(page.FindAll(".comparison-result"));
        Assert.False(Start(page).HasAttribute("disabled"));
    }

    [Fact]
    public void Without_the_worker_program_process_executors_cannot_be_ticked_and_the_pair_with_processes_cannot_start()
    {
        Runs.Scenarios = [S.Descriptor with { Modes = ["threads", "async"] }];
        var page = RenderPool();

        Assert.True(page.Find(".comparison-series input[data-option='processPool']").HasAttribute("disabled"));
        Assert.False(page.Find(".comparison-series input[data-option='processPool']").IsChecked());
        Assert.False(Start(page).HasAttribute("disabled"));

        page.FindAll("button.comparison-tab").Single(t => t.TextContent.Contains("process per task", StringComparison.Ordinal)).Click();
        Assert.True(Start(page).HasAttribute("disabled"));
        Assert.Contains("cannot run on this server", page.Find(".comparison-blocked").TextContent, StringComparison.Ordinal);
        Start(page).Click();
        Assert.Empty(Batches.Started);
    }

    [Fact]
    public void A_link_to_a_result_the_server_no_longer_has_says_so_and_keeps_its_setup_in_the_form()
    {
        var page = RenderPool("/play/pool?tasks=7&compare=perTask&batch=bgone12345");

        Assert.Empty(page.FindAll(".link-errors"));
        Assert.Contains("bgone12345", page.Find(".comparison-gone").TextContent, StringComparison.Ordinal);
        Assert.Equal("perTask", page.Find(".comparison").GetAttribute("data-comparison"));
        Assert.Equal("7", page.Find("[data-param=tasks] input").GetAttribute("value"));
    }

    [Fact]
    public void A_huge_batch_id_in_a_link_is_cut_before_it_is_shown()
    {
        var page = RenderPool("/play/pool?batch=" + new string('x', 5000));

        var text = page.Find(".comparison-gone").TextContent;
        Assert.DoesNotContain(new string('x', 41), text, StringComparison.Ordinal);
    }
}

/// <summary>The arithmetic of a comparison's chart, from rows alone.</summary>
public sealed class ComparisonResultsTests
{
    private static BatchRow Row(Dictionary<string, string> values, double? wall) =>
        new(values, wall is null ? 0 : 1, 0, wall, [], wall is null ? [] : [new RunMetric(BatchMeasures.WallMs, Msg.Of("unit.ms"), wall.Value)]);

    [Fact]
    public void Each_series_is_measured_against_its_own_single_worker_in_ascending_order_of_size()
    {
        var sweep = S.Descriptor.FindComparison(S.Sweep)!;
        var batch = new BatchInfo("b", S.Id, BatchState.Completed, 4, 4, 1, "wallMs",
            [
                Row(new() { [S.Executor] = S.Async, [S.PoolSize] = "2" }, 300),
                Row(new() { [S.Executor] = S.Async, [S.PoolSize] = "1" }, 600),
                Row(new() { [S.Executor] = S.ThreadPool, [S.PoolSize] = "1" }, null),
                Row(new() { [S.Executor] = S.ThreadPool, [S.PoolSize] = "2" }, 100),
            ], null, DateTimeOffset.UnixEpoch, null, null,
            new Dictionary<string, IReadOnlyList<string>> { [S.Executor] = [S.Async, S.ThreadPool], [S.PoolSize] = ["1", "2"] });

        Assert.True(ComparisonResults.Matches(sweep, batch));
        Assert.False(ComparisonResults.Matches(S.Descriptor.FindComparison(S.PerTask)!, batch));
        var series = ComparisonResults.Speedups(sweep, batch);

        var async = series.Single(s => s.Option == S.Async);
        Assert.Equal([1, 2], async.Points.Select(p => p.Value));
        Assert.Equal([1.0, 2.0], async.Points.Select(p => p.Speedup!.Value));
        // Without its own single worker, a series has no speed-up yet, however fast its other points.
        Assert.All(series.Single(s => s.Option == S.ThreadPool).Points, p => Assert.Null(p.Speedup));
    }

    [Fact]
    public void A_ratio_needs_both_sides_and_is_the_second_over_the_first()
    {
        var perTask = S.Descriptor.FindComparison(S.PerTask)!;
        BatchInfo Batch(params BatchRow[] rows) => new("b", S.Id, BatchState.Running, 1, 2, 1, "wallMs", rows, null, DateTimeOffset.UnixEpoch, null, null,
            new Dictionary<string, IReadOnlyList<string>> { [S.Executor] = [S.ProcessPool, S.ProcessPerTask] });

        Assert.Null(ComparisonResults.Ratio(perTask, Batch(Row(new() { [S.Executor] = S.ProcessPool }, 400), Row(new() { [S.Executor] = S.ProcessPerTask }, null))).Ratio);
        var both = ComparisonResults.Ratio(perTask, Batch(Row(new() { [S.Executor] = S.ProcessPool }, 400), Row(new() { [S.Executor] = S.ProcessPerTask }, 1000)));
        Assert.Equal(2.5, both.Ratio!.Value, 9);
        Assert.True(ComparisonResults.Matches(perTask, Batch()));
    }
}
