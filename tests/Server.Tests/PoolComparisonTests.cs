using System.Globalization;
using System.Text.Json;
using Playground.Scenarios.Engine;
using Playground.Server.Tests.Infrastructure;
using Playground.Shared.Runs;
using S = Playground.Shared.Catalog.PoolSchema;

namespace Playground.Server.Tests;

/// <summary>
/// The pool's two comparisons as the page starts them, through the batch API: a sweep of pool sizes
/// crossed with executors, and a process pool against a process per task. Only counts and the
/// arithmetic of the rows are asserted, never a speed.
/// </summary>
/// <remarks>Spawns children: the class runs alone, never beside other tests' processes.</remarks>
[Collection(ProcessHygiene.Name)]
public sealed class PoolComparisonTests(PlaygroundHost host) : IClassFixture<PlaygroundHost>
{
    [Fact(Timeout = 90_000)]
    public async Task A_sweep_gives_a_row_per_executor_and_pool_size_with_the_mean_of_each_metric_of_its_real_runs()
    {
        var http = host.CreateApiClient(nameof(A_sweep_gives_a_row_per_executor_and_pool_size_with_the_mean_of_each_metric_of_its_real_runs));
        var setup = new Dictionary<string, object> { [S.Tasks] = 6, [S.TaskKind] = S.Io, [S.TaskDuration] = 0.5, ["timeScale"] = 0.1, [S.Gil] = S.On };

        var started = await http.StartBatchAsync(S.Id, setup,
            new Dictionary<string, string[]> { [S.Executor] = [S.ThreadPool, S.Async], [S.PoolSize] = ["1", "2", "3"] }, repeat: 2);
        var batch = await http.WaitForFinalBatchAsync(started.Id, TimeSpan.FromSeconds(80));

        Assert.True(batch.State == BatchState.Completed, $"{batch.State}: {batch.Reason}");
        Assert.Equal(12, batch.Total);
        Assert.Equal(
            [(S.ThreadPool, "1"), (S.ThreadPool, "2"), (S.ThreadPool, "3"), (S.Async, "1"), (S.Async, "2"), (S.Async, "3")],
            batch.Rows.Select(r => (r.Values[S.Executor], r.Values[S.PoolSize])));

        // The batch names its setup: every knob it did not vary, canonical, and the varied ones apart.
        Assert.NotNull(batch.Parameters);
        Assert.Equal("6", batch.Parameters[S.Tasks]);
        Assert.Equal(S.Io, batch.Parameters[S.TaskKind]);
        Assert.Equal(S.On, batch.Parameters[S.Gil]);
        Assert.DoesNotContain(S.Executor, batch.Parameters.Keys);
        Assert.DoesNotContain(S.PoolSize, batch.Parameters.Keys);
        Assert.NotNull(batch.Vary);
        Assert.Equal([S.ThreadPool, S.Async], batch.Vary[S.Executor]);
        Assert.Equal(["1", "2", "3"], batch.Vary[S.PoolSize]);

        // Pool runs report their own CPU time and these took over a second in all, so the batch can tell how
        // much other work shared the cores — where every core of the machine is the server's to use.
        if (CpuClock.MachineBusyMilliseconds() is null)
        {
            Assert.Null(batch.OtherCpuPercent);
        }
        else
        {
            Assert.NotNull(batch.OtherCpuPercent);
            Assert.InRange(batch.OtherCpuPercent.Value, 0, 100 * Environment.ProcessorCount);
        }

        foreach (var row in batch.Rows)
        {
            Assert.Equal(2, row.Runs);
            Assert.NotNull(row.Metrics);
            var runs = new List<RunInfo>();
            foreach (var id in row.RunIds)
            {
                runs.Add(await http.GetRunAsync(id));
            }

            // Each run really had the row's pool: one lane per worker besides the parent.
            Assert.All(runs, r => Assert.Equal(1 + int.Parse(row.Values[S.PoolSize], CultureInfo.InvariantCulture), r.Actors.Count));
            Assert.All(runs, r => Assert.True(r.Summary!.Verdict.Held, string.Join("; ", r.Summary.Verdict.Evidence)));
            Assert.All(runs, r => Assert.Equal(row.Values[S.Executor], ((JsonElement)r.Parameters[S.Executor]).GetString()));
            foreach (var name in new[] { S.WallMs, "speedup", "results" })
            {
                var mean = runs.Average(r => r.Summary!.Metrics.Single(m => m.Name == name).Value);
                Assert.Equal(Math.Round(mean, 3), row.Metrics.Single(m => m.Name == name).Value, 6);
            }

            Assert.Equal(6, row.Metrics.Single(m => m.Name == "results").Value);
        }
    }

    [Fact(Timeout = 120_000)]
    public async Task A_pool_against_a_process_per_task_runs_the_same_tasks_in_a_few_children_against_one_child_each()
    {
        var http = host.CreateApiClient(nameof(A_pool_against_a_process_per_task_runs_the_same_tasks_in_a_few_children_against_one_child_each));
        var setup = new Dictionary<string, object> { [S.Tasks] = 6, [S.TaskDuration] = 0, [S.PoolSize] = 2 };

        var started = await http.StartBatchAsync(S.Id, setup,
            new Dictionary<string, string[]> { [S.Executor] = [S.ProcessPool, S.ProcessPerTask] }, repeat: 1);
        var batch = await http.WaitForFinalBatchAsync(started.Id, TimeSpan.FromSeconds(100));

        Assert.True(batch.State == BatchState.Completed, $"{batch.State}: {batch.Reason}");
        var pool = batch.Rows.Single(r => r.Values[S.Executor] == S.ProcessPool);
        var perTask = batch.Rows.Single(r => r.Values[S.Executor] == S.ProcessPerTask);
        Assert.Equal(2, pool.Metrics!.Single(m => m.Name == "processes").Value);
        Assert.Equal(6, perTask.Metrics!.Single(m => m.Name == "processes").Value);
        Assert.All([pool, perTask], r => Assert.Equal(6, r.Metrics!.Single(m => m.Name == "results").Value));
        Assert.All([pool, perTask], r => Assert.True(r.Metrics!.Single(m => m.Name == "startupMeanMs").Value > 0));

        // Real children, each with a pid of its own, none of them the server and none left behind.
        var perTaskRun = await http.GetRunAsync(Assert.Single(perTask.RunIds));
        var pids = perTaskRun.Actors.Skip(1).Select(a => a.Pid).ToList();
        Assert.Equal(6, pids.Distinct().Count());
        Assert.DoesNotContain(Environment.ProcessId, pids);
        Assert.All(pids, pid => Assert.False(Children.IsOurs(pid), $"child {pid} is still running"));
        Assert.DoesNotContain(Directory.EnumerateFiles("/dev/shm"), p => batch.Rows.SelectMany(r => r.RunIds).Any(id => p.Contains(id, StringComparison.Ordinal)));
    }
}
