using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;
using Playground.Scenarios.Processes;
using Playground.Server.Processes;
using Playground.Server.Tests.Infrastructure;
using Playground.Shared.Catalog;
using Playground.Shared.Runs;
using S = Playground.Shared.Catalog.TicketBookingSchema;

namespace Playground.Server.Tests;

/// <summary>The ticket race through the API: the page's default run, a store deleted by hand, stale folders.</summary>
public sealed class TicketBookingRunTests(PlaygroundHost host) : IClassFixture<PlaygroundHost>
{
    private static async Task<string> Start(HttpClient http, Dictionary<string, object> parameters)
    {
        using var response = await http.PostRunAsync(parameters, S.Id);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return JsonSerializer.Deserialize<RunApi.StartedRun>(await response.Content.ReadAsStringAsync(), PlaygroundHost.Json)!.Id;
    }

    /// <summary>The folders in the temp directory that belong to run <paramref name="runId"/>.</summary>
    private static List<string> FoldersOf(string runId) =>
        [.. Directory.EnumerateDirectories(Path.GetTempPath(), "pg-*").Where(d => d.Contains("-" + runId + "-", StringComparison.Ordinal))];

    [Fact(Timeout = 60_000)]
    public async Task The_default_run_oversells_the_last_ticket_and_says_so_naming_the_buyers()
    {
        var http = host.CreateApiClient(nameof(The_default_run_oversells_the_last_ticket_and_says_so_naming_the_buyers));
        var id = await Start(http, []);
        var run = await http.WaitForFinalAsync(id);

        Assert.True(run.State == RunState.Completed, $"{run.State}: {run.Reason}");
        var summary = run.Summary!;
        Assert.False(summary.Verdict.Held);
        var oversold = summary.Verdict.Evidence[0].Format(CultureInfo.InvariantCulture);
        Assert.StartsWith("Oversold: ", oversold, StringComparison.Ordinal);
        Assert.Contains("for 1 ticket(s): buyer-", oversold, StringComparison.Ordinal);
        var metrics = summary.Metrics.ToDictionary(m => m.Name, m => m.Value);
        Assert.Equal(metrics["successes"] - 1, metrics[S.Oversold]);
        Assert.Equal(10, run.Actors.Count);
        Assert.All(run.Actors, a => Assert.Equal("buyer", a.Role));
        Assert.Equal(metrics["successes"], summary.Actors.Sum(a => a.Count));
        var gauge = Assert.Single(summary.Gauges);
        Assert.Equal((1L, 0L, 1L), (gauge.Limit, gauge.Min, gauge.Max));
        Assert.Empty(FoldersOf(id));
    }

    [Fact(Timeout = 60_000)]
    public async Task A_store_deleted_by_hand_mid_run_fails_the_run_with_the_reason_not_a_server_error()
    {
        var http = host.CreateApiClient(nameof(A_store_deleted_by_hand_mid_run_fails_the_run_with_the_reason_not_a_server_error));
        var id = await Start(http, new() { [S.Buyers] = 3, [S.Think] = 1, [S.Lock] = S.FileLock, [S.Store] = S.Sqlite });
        var limit = Stopwatch.StartNew();
        // Once a buyer has read the store, it is deleted by hand.
        while (!(await http.GetEventPageAsync(id, null)).Events.Any(e => e.Kind == "get"))
        {
            Assert.True(limit.Elapsed < TimeSpan.FromSeconds(30), "no buyer read the store");
            await Task.Delay(5);
        }

        var folders = FoldersOf(id);
        Assert.Single(folders);

        File.Delete(Path.Combine(folders[0], "tickets.db"));
        var run = await http.WaitForFinalAsync(id);

        Assert.Equal(RunState.Failed, run.State);
        Assert.Equal("ticket.failure.missing", run.Reason?.Key);
        Assert.Contains("tickets.db is gone", run.Reason!.Format(CultureInfo.InvariantCulture), StringComparison.Ordinal);
        Assert.Empty(FoldersOf(id));
    }

    [Fact]
    public void The_sweep_removes_the_folders_of_a_server_that_is_gone_and_keeps_a_live_ones()
    {
        // A pid that no process has (beyond pid_max), and this process's own tag.
        var dead = Path.Combine(Path.GetTempPath(), $"pg-4194400.1-t{Guid.NewGuid():N}-tickets");
        var live = Path.Combine(Path.GetTempPath(), $"pg-{SharedNameOwner.Current}-t{Guid.NewGuid():N}-tickets");
        Directory.CreateDirectory(dead);
        File.WriteAllText(Path.Combine(dead, "tickets.json"), "{\"number\": 1}");
        Directory.CreateDirectory(live);
        try
        {
            var removed = new List<string>();
            SharedMemorySweeper.SweepTempFolders(Path.GetTempPath(), removed);

            Assert.False(Directory.Exists(dead));
            Assert.Contains(Path.GetFileName(dead) + "/", removed);
            Assert.True(Directory.Exists(live));
        }
        finally
        {
            Directory.Delete(live, recursive: true);
            if (Directory.Exists(dead))
            {
                Directory.Delete(dead, recursive: true);
            }
        }
    }

    [Fact(Timeout = 30_000)]
    public async Task Buyers_and_tickets_over_their_caps_are_refused_with_the_field_named()
    {
        var http = host.CreateApiClient(nameof(Buyers_and_tickets_over_their_caps_are_refused_with_the_field_named));
        using var response = await http.PostRunAsync(new Dictionary<string, object> { [S.Buyers] = 100_000, [S.Tickets] = -1, [S.Lock] = "mutex" }, S.Id);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var body = await response.Content.ReadAsStringAsync();
        Assert.Contains(S.Buyers, body, StringComparison.Ordinal);
        Assert.Contains(S.Tickets, body, StringComparison.Ordinal);
        Assert.Contains(S.Lock, body, StringComparison.Ordinal);
    }

    [Fact(Timeout = 120_000)]
    public async Task A_batch_over_the_locks_finds_the_oversell_without_a_lock_and_never_with_flock_and_means_the_oversold_tickets()
    {
        var http = host.CreateApiClient(nameof(A_batch_over_the_locks_finds_the_oversell_without_a_lock_and_never_with_flock_and_means_the_oversold_tickets));
        var started = await http.StartBatchAsync(S.Id, new Dictionary<string, object> { [S.Think] = 0.05 },
            new Dictionary<string, string[]> { [S.Lock] = [S.NoLock, S.FileLock] }, repeat: 3);
        var batch = await http.WaitForFinalBatchAsync(started.Id);

        Assert.Equal(BatchState.Completed, batch.State);
        Assert.Equal(S.Oversold, batch.Measure);
        var open = batch.Rows.Single(r => r.Values[S.Lock] == S.NoLock);
        var locked = batch.Rows.Single(r => r.Values[S.Lock] == S.FileLock);
        Assert.Equal((3, 3), (open.Runs, locked.Runs));
        // Ten buyers thinking 50 ms each way, started together: every run oversells without a lock.
        Assert.True(open.Violated > 0, $"no oversell in {open.Runs} runs without a lock");
        Assert.Equal(0, locked.Violated);
        Assert.Equal(0, locked.Mean);
        // The row's mean is the mean of its runs' own oversold figures.
        var oversold = new List<double>();
        foreach (var id in open.RunIds)
        {
            var run = await http.GetRunAsync(id);
            oversold.Add(run.Summary!.Metrics.Single(m => m.Name == S.Oversold).Value);
            Assert.Empty(FoldersOf(id));
        }

        // The row shows its mean to three decimals.
        Assert.Equal(oversold.Average(), open.Mean!.Value, 3);
    }
}
