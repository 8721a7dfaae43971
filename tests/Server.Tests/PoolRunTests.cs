using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Playground.Server.Runs;
using Playground.Server.Tests.Infrastructure;
using Playground.Shared.Catalog;
using Playground.Shared.Runs;
using S = Playground.Shared.Catalog.PoolSchema;

namespace Playground.Server.Tests;

/// <summary>The pool through the API: the tutorial's hundred processes, one per task, fit the default caps.</summary>
/// <remarks>A hundred children at once: the class runs alone, never beside other tests' processes.</remarks>
[Collection(ProcessHygiene.Name)]
public sealed class PoolRunTests(PlaygroundHost host) : IClassFixture<PlaygroundHost>
{
    [Fact(Timeout = 120_000)]
    public async Task A_hundred_tasks_each_in_a_new_process_are_admitted_and_run_in_a_hundred_distinct_children()
    {
        var http = host.CreateApiClient(nameof(A_hundred_tasks_each_in_a_new_process_are_admitted_and_run_in_a_hundred_distinct_children));
        var parameters = new Dictionary<string, object> { [S.Executor] = S.ProcessPerTask, [S.Tasks] = 100, [S.TaskKind] = S.Cpu, ["timeScale"] = 0.01 };

        var check = host.Services.GetRequiredService<RunManager>().Check(new RunStartRequest(S.Id,
            parameters.ToDictionary(kv => kv.Key, kv => (string?)Convert.ToString(kv.Value, System.Globalization.CultureInfo.InvariantCulture))));
        Assert.NotNull(check);
        Assert.Empty(check.Limits);
        Assert.Equal(101, check.Actors);

        using var response = await http.PostRunAsync(parameters, S.Id);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var started = JsonSerializer.Deserialize<RunApi.StartedRun>(await response.Content.ReadAsStringAsync(), PlaygroundHost.Json);
        // A hundred .NET start-ups on two cores take a while; the run's own deadline allows for them.
        var run = await http.WaitForFinalAsync(started!.Id, TimeSpan.FromSeconds(100));

        Assert.True(run.State == RunState.Completed, $"{run.State}: {run.Reason}");
        Assert.NotNull(run.Summary);
        Assert.True(run.Summary.Verdict.Held, string.Join("; ", run.Summary.Verdict.Evidence));
        Assert.Equal(101, run.Actors.Count);
        Assert.Equal("parent", run.Actors[0].Role);
        Assert.Equal(Environment.ProcessId, run.Actors[0].Pid);
        var children = run.Actors.Skip(1).Select(a => a.Pid).ToList();
        Assert.Equal(100, children.Distinct().Count());
        Assert.DoesNotContain(Environment.ProcessId, children);
        Assert.All(run.Actors.Skip(1), a => Assert.Equal("process", a.Role));
        var metrics = run.Summary.Metrics.ToDictionary(m => m.Name, m => m.Value);
        Assert.Equal(100, metrics["processes"]);
        Assert.True(metrics["startupMeanMs"] > 0);
        Assert.Equal(100, metrics["results"]);
        Assert.True(metrics[S.WallMs] > 0);
        Assert.All(children, pid => Assert.False(Directory.Exists($"/proc/{pid}") && Children.IsOurs(pid), $"process {pid} is still there"));
        Assert.DoesNotContain(Directory.EnumerateFiles("/dev/shm"), p => p.Contains(run.Id, StringComparison.Ordinal));
    }

    [Fact(Timeout = 60_000)]
    public async Task A_thread_pool_run_reports_wall_time_speed_up_and_cpu_use_and_lists_its_knobs_without_a_mode()
    {
        var http = host.CreateApiClient(nameof(A_thread_pool_run_reports_wall_time_speed_up_and_cpu_use_and_lists_its_knobs_without_a_mode));

        using var catalog = JsonDocument.Parse(await http.GetStringAsync(new Uri("api/scenarios", UriKind.Relative)));
        var pool = catalog.RootElement.EnumerateArray().Single(s => s.GetProperty("id").GetString() == S.Id);
        Assert.True(pool.GetProperty("available").GetBoolean());
        Assert.Equal(["threads", "processes", "async"], pool.GetProperty("modes").EnumerateArray().Select(m => m.GetString()));
        var knobs = pool.GetProperty("parameters").EnumerateArray().Select(p => p.GetProperty("name").GetString()).ToList();
        Assert.Contains(S.Executor, knobs);
        Assert.DoesNotContain(CommonParameters.Mode, knobs);
        Assert.Equal(S.Executor, pool.GetProperty("modeParameter").GetString());
        Assert.Equal("processes", pool.GetProperty("hostModes").GetProperty(S.ProcessPerTask).GetString());
        Assert.Equal("async", pool.GetProperty("hostModes").GetProperty(S.Async).GetString());

        using var response = await http.PostRunAsync(new Dictionary<string, object> { [S.Executor] = S.ThreadPool, [S.PoolSize] = 2, ["timeScale"] = 0.05 }, S.Id);
        var started = JsonSerializer.Deserialize<RunApi.StartedRun>(await response.Content.ReadAsStringAsync(), PlaygroundHost.Json);
        var run = await http.WaitForFinalAsync(started!.Id);

        Assert.True(run.State == RunState.Completed, $"{run.State}: {run.Reason}");
        Assert.True(run.Summary!.Verdict.Held);
        var metrics = run.Summary.Metrics.ToDictionary(m => m.Name, m => m.Value);
        Assert.All(new[] { S.WallMs, "serialMs", "speedup", "cpuMs", "cpuPercent" }, name => Assert.True(metrics[name] > 0, name));
        Assert.Equal(20, run.Summary.Actors[0].Count);
        Assert.Equal(20, run.Summary.Actors.Skip(1).Sum(a => a.Count));
        Assert.All(run.Actors, a => Assert.Equal(Environment.ProcessId, a.Pid));
        Assert.Equal(2, run.Actors.Skip(1).Select(a => a.ThreadId).Distinct().Count());
        var pending = Assert.Single(run.Summary.Gauges);
        Assert.Equal(20, pending.Max);
        Assert.Equal(20, pending.Limit);
    }
}
