using System.Net;
using System.Text.Json;
using Playground.Server.Tests.Infrastructure;
using Playground.Shared.Catalog;
using Playground.Shared.Runs;

namespace Playground.Server.Tests;

/// <summary>Batches of real runs through the REST API: results, rows, cancellation, ownership, one live batch per client.</summary>
public sealed class BatchRunTests(PlaygroundHost host) : IClassFixture<PlaygroundHost>
{
    [Fact(Timeout = 60_000)]
    public async Task A_batch_reports_one_result_per_run_and_each_row_agrees_with_its_real_runs()
    {
        var http = host.CreateApiClient(nameof(A_batch_reports_one_result_per_run_and_each_row_agrees_with_its_real_runs));

        var started = await http.StartBatchAsync(SemaphoreSchema.Id, BatchApi.QuickParking,
            new Dictionary<string, string[]> { ["kind"] = ["counting", "bounded"] }, repeat: 3);
        var batch = await http.WaitForFinalBatchAsync(started.Id);

        Assert.Equal(BatchState.Completed, batch.State);
        Assert.Equal(6, batch.Total);
        Assert.Equal(6, batch.Done);
        Assert.Equal("wallMs", batch.Measure);
        Assert.Null(batch.Reason);
        Assert.NotNull(batch.EndedAt);
        Assert.Equal(["counting", "bounded"], batch.Rows.Select(r => r.Values["kind"]));
        Assert.All(batch.Rows, r => Assert.Equal(["kind"], r.Values.Keys));
        Assert.Equal(6, batch.Rows.Sum(r => r.Runs));
        var ids = batch.Rows.SelectMany(r => r.RunIds).ToList();
        Assert.Equal(6, ids.Distinct().Count());
        foreach (var row in batch.Rows)
        {
            Assert.Equal(3, row.Runs);
            var runs = new List<RunInfo>();
            foreach (var id in row.RunIds)
            {
                runs.Add(await http.GetRunAsync(id));
            }

            Assert.All(runs, r => Assert.Equal(RunState.Completed, r.State));
            Assert.All(runs, r => Assert.Equal(row.Values["kind"], ((JsonElement)r.Parameters["kind"]).GetString()));
            Assert.Equal(runs.Count(r => !r.Summary!.Verdict.Held), row.Violated);
            Assert.Equal(Math.Round(runs.Average(r => r.Summary!.WallMs), 3), row.Mean!.Value, 6);
            // Every row also carries the mean of every metric its runs reported, wall time included.
            Assert.Equal(row.Mean!.Value, row.Metrics!.Single(m => m.Name == "wallMs").Value, 6);
            foreach (var metric in runs[0].Summary!.Metrics)
            {
                Assert.Equal(Math.Round(runs.Average(r => r.Summary!.Metrics.Single(m => m.Name == metric.Name).Value), 3),
                    row.Metrics!.Single(m => m.Name == metric.Name).Value, 6);
            }
        }

        // The batch names the setup its runs shared, and what it varied.
        Assert.Equal(["counting", "bounded"], batch.Vary!["kind"]);
        Assert.DoesNotContain("kind", batch.Parameters!.Keys);
        Assert.Equal("threads", batch.Parameters["mode"]);
        // Parking cars report no CPU time of their own, so nothing can be said of other work on the machine.
        Assert.Null(batch.OtherCpuPercent);

        // The runs belong to whoever started the batch.
        var mine = (await http.ListRunsAsync()).Select(r => r.Id).ToHashSet();
        Assert.Subset(mine, ids.ToHashSet());
        Assert.Equal([started.Id], (await http.ListBatchesAsync()).Select(b => b.Id));
    }

    [Fact(Timeout = 60_000)]
    public async Task A_batch_that_varies_nothing_repeats_one_setup_in_one_row()
    {
        var http = host.CreateApiClient(nameof(A_batch_that_varies_nothing_repeats_one_setup_in_one_row));

        var started = await http.StartBatchAsync(RunApi.Scenario, RunApi.Fast, vary: null, repeat: 2);
        var batch = await http.WaitForFinalBatchAsync(started.Id);

        Assert.Equal(BatchState.Completed, batch.State);
        var row = Assert.Single(batch.Rows);
        Assert.Empty(row.Values);
        Assert.Equal(2, row.Runs);
        Assert.Equal(0, row.Violated);
        Assert.Equal(2, row.RunIds.Distinct().Count());
    }

    [Fact(Timeout = 60_000)]
    public async Task The_answer_has_the_documented_shape_with_lower_case_states()
    {
        var http = host.CreateApiClient(nameof(The_answer_has_the_documented_shape_with_lower_case_states));
        var started = await http.StartBatchAsync(SemaphoreSchema.Id, BatchApi.QuickParking,
            new Dictionary<string, string[]> { ["kind"] = ["bounded"] }, repeat: 1);
        await http.WaitForFinalBatchAsync(started.Id);

        using var json = JsonDocument.Parse(await http.GetStringAsync(new Uri($"api/batches/{started.Id}", UriKind.Relative)));

        var root = json.RootElement;
        Assert.Equal(started.Id, root.GetProperty("id").GetString());
        Assert.Equal("completed", root.GetProperty("state").GetString());
        Assert.Equal(1, root.GetProperty("done").GetInt32());
        Assert.Equal(1, root.GetProperty("total").GetInt32());
        var row = Assert.Single(root.GetProperty("rows").EnumerateArray());
        Assert.Equal("bounded", row.GetProperty("values").GetProperty("kind").GetString());
        Assert.Equal(1, row.GetProperty("runs").GetInt32());
        Assert.InRange(row.GetProperty("violated").GetInt32(), 0, 1);
        Assert.Equal(JsonValueKind.Number, row.GetProperty("mean").ValueKind);
        Assert.Single(row.GetProperty("runIds").EnumerateArray());
    }

    [Fact(Timeout = 90_000)]
    public async Task Cancelling_a_batch_cancels_its_current_run_and_starts_no_more()
    {
        var http = host.CreateApiClient(nameof(Cancelling_a_batch_cancels_its_current_run_and_starts_no_more));
        var started = await http.StartBatchAsync(RunApi.Scenario, RunApi.Long, vary: null, repeat: 5);
        var running = await http.WaitForRunningRunAsync(started.Id);

        using var response = await http.DeleteAsync(new Uri($"api/batches/{started.Id}", UriKind.Relative));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var batch = await http.WaitForFinalBatchAsync(started.Id);
        Assert.Equal(BatchState.Cancelled, batch.State);
        Assert.Equal("reason.cancelled", batch.Reason?.Key);
        Assert.Equal([running.Id], batch.Rows.SelectMany(r => r.RunIds));
        Assert.Equal(1, batch.Done);
        Assert.Equal(0, batch.Rows[0].Runs);
        Assert.Equal(RunState.Cancelled, (await http.GetRunAsync(running.Id)).State);
        // The batch ended after its run did, so nothing of it is running and nothing more will start.
        Assert.Equal([running.Id], (await http.ListRunsAsync()).Select(r => r.Id));
        Assert.All(host.AllRuns(), r => Assert.True(r.IsFinal, $"run {r.Id} is still {r.State}"));

        using var again = await http.DeleteAsync(new Uri($"api/batches/{started.Id}", UriKind.Relative));
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
    }

    [Fact(Timeout = 90_000)]
    public async Task Another_client_may_read_a_batch_by_its_id_but_not_cancel_it_nor_see_it_listed()
    {
        var owner = host.CreateApiClient("batch-owner");
        var stranger = host.CreateApiClient("batch-stranger");
        var started = await owner.StartBatchAsync(RunApi.Scenario, RunApi.Long, vary: null, repeat: 3);
        await owner.WaitForRunningRunAsync(started.Id);

        using var delete = await stranger.DeleteAsync(new Uri($"api/batches/{started.Id}", UriKind.Relative));

        Assert.Equal(HttpStatusCode.Forbidden, delete.StatusCode);
        using (var problem = JsonDocument.Parse(await delete.Content.ReadAsStringAsync()))
        {
            Assert.Contains("Only the one who started batch", problem.RootElement.GetProperty("detail").GetString(), StringComparison.Ordinal);
        }

        var seen = await stranger.GetBatchAsync(started.Id);
        Assert.Equal(started.Id, seen.Id);
        Assert.Equal(BatchState.Running, seen.State);
        Assert.Empty(await stranger.ListBatchesAsync());

        using var ownDelete = await owner.DeleteAsync(new Uri($"api/batches/{started.Id}", UriKind.Relative));
        Assert.Equal(HttpStatusCode.Accepted, ownDelete.StatusCode);
        Assert.Equal(BatchState.Cancelled, (await owner.WaitForFinalBatchAsync(started.Id)).State);
    }

    [Fact(Timeout = 90_000)]
    public async Task A_second_live_batch_of_the_same_client_is_refused_as_busy_and_nothing_of_it_starts()
    {
        var http = host.CreateApiClient(nameof(A_second_live_batch_of_the_same_client_is_refused_as_busy_and_nothing_of_it_starts));
        var first = await http.StartBatchAsync(RunApi.Scenario, RunApi.Long, vary: null, repeat: 3);

        using var second = await http.PostBatchAsync(SemaphoreSchema.Id, BatchApi.QuickParking, null, repeat: 2);

        Assert.Equal(HttpStatusCode.TooManyRequests, second.StatusCode);
        Assert.True(second.Headers.RetryAfter?.Delta > TimeSpan.Zero);
        using (var problem = JsonDocument.Parse(await second.Content.ReadAsStringAsync()))
        {
            Assert.Contains("you already have 1 batch(es) queued or running; the limit is 1", problem.RootElement.GetProperty("detail").GetString(), StringComparison.Ordinal);
        }

        Assert.Equal([first.Id], (await http.ListBatchesAsync()).Select(b => b.Id));
        using var cancel = await http.DeleteAsync(new Uri($"api/batches/{first.Id}", UriKind.Relative));
        Assert.Equal(BatchState.Cancelled, (await http.WaitForFinalBatchAsync(first.Id)).State);

        // Once the first has ended, the client may start another.
        var third = await http.StartBatchAsync(SemaphoreSchema.Id, BatchApi.QuickParking, null, repeat: 1);
        Assert.Equal(BatchState.Completed, (await http.WaitForFinalBatchAsync(third.Id)).State);
    }

    [Fact(Timeout = 30_000)]
    public async Task An_unknown_batch_is_404_to_read_and_to_cancel()
    {
        var http = host.CreateApiClient(nameof(An_unknown_batch_is_404_to_read_and_to_cancel));

        using var get = await http.GetAsync(new Uri("api/batches/nosuchbatch", UriKind.Relative));
        using var delete = await http.DeleteAsync(new Uri("api/batches/nosuchbatch", UriKind.Relative));

        Assert.Equal(HttpStatusCode.NotFound, get.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, delete.StatusCode);
        Assert.Contains("There is no batch 'nosuchbatch'", await get.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact(Timeout = 60_000)]
    public async Task A_batch_sweeps_a_whole_number_knob_one_row_per_value()
    {
        var http = host.CreateApiClient(nameof(A_batch_sweeps_a_whole_number_knob_one_row_per_value));

        var started = await http.StartBatchAsync(SemaphoreSchema.Id, BatchApi.QuickParking,
            new Dictionary<string, string[]> { ["permits"] = ["1", "3", "5"] }, repeat: 1);
        var batch = await http.WaitForFinalBatchAsync(started.Id);

        Assert.Equal(BatchState.Completed, batch.State);
        Assert.Equal(["1", "3", "5"], batch.Rows.Select(r => r.Values["permits"]));
        foreach (var row in batch.Rows)
        {
            var run = await http.GetRunAsync(Assert.Single(row.RunIds));
            Assert.Equal(long.Parse(row.Values["permits"], System.Globalization.CultureInfo.InvariantCulture), Convert.ToInt64(run.Parameters["permits"].ToString(), System.Globalization.CultureInfo.InvariantCulture));
            Assert.Equal(double.Parse(row.Values["permits"], System.Globalization.CultureInfo.InvariantCulture), run.Summary!.Metrics.Single(m => m.Name == "permits").Value);
        }
    }
}
