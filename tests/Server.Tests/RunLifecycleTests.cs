using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Playground.Server.Tests.Infrastructure;
using Playground.Shared.Runs;

namespace Playground.Server.Tests;

public sealed class RunLifecycleTests(PlaygroundHost host) : IClassFixture<PlaygroundHost>
{
    [Fact(Timeout = 30_000)]
    public async Task Posted_run_is_accepted_and_completes_with_the_invariant_held()
    {
        var http = host.CreateApiClient(nameof(Posted_run_is_accepted_and_completes_with_the_invariant_held));

        using var response = await http.PostRunAsync(RunApi.Fast);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var started = await response.Content.ReadFromJsonAsync<RunApi.StartedRun>(PlaygroundHost.Json);
        Assert.NotNull(started);
        Assert.False(string.IsNullOrEmpty(started.Id));
        Assert.Contains(started.State, new[] { RunState.Queued, RunState.Running });
        Assert.NotNull(response.Headers.Location);
        Assert.EndsWith($"/api/runs/{started.Id}", response.Headers.Location.OriginalString, StringComparison.Ordinal);

        var run = await http.WaitForFinalAsync(started.Id);

        Assert.Equal(RunState.Completed, run.State);
        Assert.Equal(RunApi.Scenario, run.Scenario);
        Assert.NotNull(run.Summary);
        Assert.True(run.Summary.Verdict.Held, string.Join("; ", run.Summary.Verdict.Evidence));
        Assert.True(run.Summary.WallMs > 0);
        Assert.Equal(1, run.Actors.Count(a => a.Role == "producer"));
        Assert.Equal(2, run.Actors.Count(a => a.Role == "consumer"));
        Assert.Equal(3, run.Actors.Count);
        Assert.All(run.Actors, a =>
        {
            Assert.NotNull(a.ThreadId);
            // Thread actors live in the server process, which here is the test process.
            Assert.Equal(Environment.ProcessId, a.Pid);
        });
    }

    [Fact(Timeout = 30_000)]
    public async Task Processes_mode_run_completes_in_child_processes_that_are_gone_afterwards()
    {
        var http = host.CreateApiClient(nameof(Processes_mode_run_completes_in_child_processes_that_are_gone_afterwards));
        var id = await http.StartRunAsync(new Dictionary<string, object> { ["mode"] = "processes", ["timeScale"] = 0.01 });

        var run = await http.WaitForFinalAsync(id);

        Assert.True(run.State == RunState.Completed, $"{run.State}: {run.Reason}");
        Assert.NotNull(run.Summary);
        Assert.True(run.Summary.Verdict.Held, string.Join("; ", run.Summary.Verdict.Evidence));
        Assert.Equal(3, run.Actors.Count);
        Assert.All(run.Actors, a => Assert.NotEqual(Environment.ProcessId, a.Pid));
        Assert.Equal(3, run.Actors.Select(a => a.Pid).Distinct().Count());
        if (OperatingSystem.IsLinux())
        {
            // Reaped children leave no /proc entry; a zombie or a straggler would.
            Assert.All(run.Actors, a => Assert.False(Directory.Exists($"/proc/{a.Pid}"), $"child {a.Pid} ({a.Name}) is still there"));
        }
    }

    [Fact(Timeout = 30_000)]
    public async Task Summary_gives_each_declared_gauge_its_extremes_and_limit_in_camel_case()
    {
        var http = host.CreateApiClient(nameof(Summary_gives_each_declared_gauge_its_extremes_and_limit_in_camel_case));
        var id = await http.StartRunAsync(new Dictionary<string, object> { ["capacity"] = 2, ["timeScale"] = 0.01 });
        var run = await http.WaitForFinalAsync(id);
        Assert.Equal(RunState.Completed, run.State);

        using var response = await http.GetAsync($"api/runs/{id}");
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());

        var gauge = Assert.Single(json.RootElement.GetProperty("summary").GetProperty("gauges").EnumerateArray().ToList());
        Assert.Equal("depth", gauge.GetProperty("id").GetString());
        Assert.Equal("step", gauge.GetProperty("style").GetString());
        Assert.Equal("gauge.producer-consumer.depth", gauge.GetProperty("label").GetProperty("key").GetString());
        Assert.True(gauge.GetProperty("readings").GetInt64() > 0);
        Assert.Equal(0, gauge.GetProperty("min").GetInt64());
        var max = gauge.GetProperty("max").GetInt64();
        Assert.InRange(max, 1, 2);
        Assert.Equal(2, gauge.GetProperty("limit").GetInt64());
        Assert.InRange(gauge.GetProperty("maxAtMs").GetDouble(), 0, run.Summary!.WallMs);
    }

    [Fact(Timeout = 30_000)]
    public async Task Unknown_run_is_404()
    {
        var http = host.CreateApiClient(nameof(Unknown_run_is_404));

        using var get = await http.GetAsync("api/runs/no-such-run");
        using var delete = await http.DeleteAsync("api/runs/no-such-run");

        Assert.Equal(HttpStatusCode.NotFound, get.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, delete.StatusCode);
    }
}
