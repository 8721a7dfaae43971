using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Playground.Scenarios.Engine;
using Playground.Scenarios.Processes;
using Playground.Scenarios.Semaphore;
using Playground.Server.Batches;
using Playground.Server.Identity;
using Playground.Server.Limits;
using Playground.Server.Runs;
using Playground.Server.Tests.Infrastructure;
using Playground.Shared.Catalog;
using Playground.Shared.Parameters;
using Playground.Shared.Runs;

namespace Playground.Server.Tests;

/// <summary>A batch waits while its owner's run places are taken, and goes on when one frees.</summary>
public sealed class BatchWaitTests(OneRunPerClientHost host) : IClassFixture<OneRunPerClientHost>
{
    [Fact(Timeout = 90_000)]
    public async Task A_batch_whose_owner_is_at_the_run_cap_waits_queued_then_runs_when_the_place_frees()
    {
        var http = host.CreateApiClient(nameof(A_batch_whose_owner_is_at_the_run_cap_waits_queued_then_runs_when_the_place_frees));
        var blocker = await http.StartRunAsync(RunApi.Long);

        var started = await http.StartBatchAsync(SemaphoreSchema.Id, BatchApi.QuickParking, null, repeat: 3);
        var waiting = await http.WaitForBatchAsync(started.Id, b => b.Reason is not null);

        Assert.Equal(BatchState.Queued, waiting.State);
        Assert.Equal("busy.client", waiting.Reason!.Key);
        Assert.Empty(waiting.Rows[0].RunIds);

        using var cancel = await http.DeleteAsync(new Uri($"api/runs/{blocker}", UriKind.Relative));
        var batch = await http.WaitForFinalBatchAsync(started.Id);
        Assert.Equal(BatchState.Completed, batch.State);
        Assert.Null(batch.Reason);
        Assert.Equal(3, batch.Rows[0].Runs);
    }
}

/// <summary>A host whose runs get a deadline of one second whatever their estimate.</summary>
public sealed class ShortDeadlineHost : PlaygroundHost
{
    protected override IReadOnlyDictionary<string, string> Settings { get; } = new Dictionary<string, string>
    {
        ["Runs:MinDeadlineSeconds"] = "1",
        ["Runs:DeadlineFactor"] = "0.01",
    };
}

/// <summary>A run that fails, or that its deadline stops, fails its batch: the next would most likely end the same way.</summary>
public sealed class BatchFailureTests(ShortDeadlineHost host) : IClassFixture<ShortDeadlineHost>
{
    [Fact(Timeout = 60_000)]
    public async Task A_run_stopped_by_its_deadline_fails_the_batch_with_that_reason_and_no_more_runs_start()
    {
        var http = host.CreateApiClient(nameof(A_run_stopped_by_its_deadline_fails_the_batch_with_that_reason_and_no_more_runs_start));

        // About 35 s of eating against a 1 s deadline.
        var started = await http.StartBatchAsync(RunApi.Scenario, RunApi.Long, null, repeat: 3);
        var batch = await http.WaitForFinalBatchAsync(started.Id);

        Assert.Equal(BatchState.Failed, batch.State);
        var runId = Assert.Single(batch.Rows[0].RunIds);
        Assert.Equal("batch.runFailed", batch.Reason?.Key);
        Assert.Contains($"run {runId} did not finish: stopped at the 1 s deadline", batch.Reason!.Text, StringComparison.Ordinal);
        Assert.Equal(1, batch.Done);
        Assert.Equal(0, batch.Rows[0].Runs);
        Assert.Null(batch.Rows[0].Mean);
        Assert.Equal(RunState.Cancelled, (await http.GetRunAsync(runId)).State);
        Assert.Equal([runId], (await http.ListRunsAsync()).Select(r => r.Id));
    }
}

public sealed class BatchCrashTests(PlaygroundHost host) : IClassFixture<PlaygroundHost>
{
    [Fact(Timeout = 90_000)]
    public async Task A_child_killed_mid_run_fails_the_batch_naming_the_crash_and_no_more_runs_start()
    {
        var http = host.CreateApiClient(nameof(A_child_killed_mid_run_fails_the_batch_naming_the_crash_and_no_more_runs_start));
        var started = await http.StartBatchAsync(RunApi.Scenario, new Dictionary<string, object>(RunApi.Long) { ["mode"] = "processes" }, null, repeat: 3);
        var first = await http.WaitForBatchAsync(started.Id, b => b.Rows[0].RunIds.Count > 0);
        var runId = first.Rows[0].RunIds[0];
        var running = await http.WaitForRunAsync(runId, r => r.State == RunState.Running && r.Actors.All(a => a.Pid > 0));

        Signals.Send(running.Actors.First(a => a.Role == "consumer").Pid, Signals.SIGKILL);

        var batch = await http.WaitForFinalBatchAsync(started.Id);
        var run = await http.GetRunAsync(runId);
        Assert.Equal(RunState.Failed, run.State);
        Assert.Equal(BatchState.Failed, batch.State);
        Assert.Equal("batch.runFailed", batch.Reason?.Key);
        Assert.Contains(run.Reason!.Text, batch.Reason!.Text, StringComparison.Ordinal);
        Assert.Equal([runId], batch.Rows.SelectMany(r => r.RunIds));
        Assert.Equal(1, batch.Done);
        Assert.All(run.Actors, a => Assert.False(Directory.Exists($"/proc/{a.Pid}"), $"child {a.Pid} ({a.Name}) is still there"));
    }
}

/// <summary>Finished batches stay readable as long as finished runs, here a fraction of a second.</summary>
public sealed class ShortRetentionHost : PlaygroundHost
{
    protected override IReadOnlyDictionary<string, string> Settings { get; } = new Dictionary<string, string>
    {
        ["Runs:RetentionMinutes"] = "0.001",
    };
}

public sealed class BatchRetentionTests(ShortRetentionHost host) : IClassFixture<ShortRetentionHost>
{
    [Fact(Timeout = 60_000)]
    public async Task A_finished_batch_is_removed_after_the_retention_and_then_reads_404()
    {
        var http = host.CreateApiClient(nameof(A_finished_batch_is_removed_after_the_retention_and_then_reads_404));
        var started = await http.StartBatchAsync(SemaphoreSchema.Id, BatchApi.QuickParking, null, repeat: 1);
        Assert.Equal(BatchState.Completed, (await http.WaitForFinalBatchAsync(started.Id)).State);
        var batches = host.Services.GetRequiredService<BatchManager>();

        var deadline = DateTimeOffset.UtcNow + PlaygroundHost.Patience;
        while (batches.Find(started.Id) is not null && DateTimeOffset.UtcNow < deadline)
        {
            batches.Evict();
            await Task.Delay(TimeSpan.FromMilliseconds(20));
        }

        using var response = await http.GetAsync(new Uri($"api/batches/{started.Id}", UriKind.Relative));
        Assert.Equal(System.Net.HttpStatusCode.NotFound, response.StatusCode);
        Assert.Empty(await http.ListBatchesAsync());
    }
}

public sealed class BatchShutdownTests
{
    [Fact(Timeout = 90_000)]
    public async Task Stopping_the_server_cancels_a_live_batch_and_its_run_and_leaves_nothing_running()
    {
        var host = new PlaygroundHost();
        await ((IAsyncLifetime)host).InitializeAsync();
        var http = host.CreateApiClient(nameof(Stopping_the_server_cancels_a_live_batch_and_its_run_and_leaves_nothing_running));
        var started = await http.StartBatchAsync(RunApi.Scenario, RunApi.Long, null, repeat: 5);
        var running = await http.WaitForRunningRunAsync(started.Id);
        var batches = host.Services.GetRequiredService<BatchManager>();
        var runs = host.Services.GetRequiredService<RunManager>();
        var batch = batches.Find(started.Id)!;

        await ((IAsyncLifetime)host).DisposeAsync();

        // On a loaded machine the batch may record its end a moment after the host has stopped
        // (the run manager is gone by then and nothing of the batch's runs is left running).
        await batch.Execution.WaitAsync(TimeSpan.FromSeconds(10));
        var info = batch.ToInfo();
        Assert.Equal(BatchState.Cancelled, info.State);
        Assert.Equal("reason.shuttingDown", info.Reason?.Key);
        Assert.Equal([running.Id], info.Rows.SelectMany(r => r.RunIds));
        Assert.True(batch.Execution.IsCompleted);
        Assert.All(runs.List(), r => Assert.True(r.IsFinal, $"run {r.Id} is still {r.State}"));
        Assert.Equal(RunState.Cancelled, runs.Find(running.Id)!.State);
    }
}

/// <summary>
/// The semaphore with a batch spec of its own, as a scenario that ships one would have: the page's
/// knob is the kind, and each row averages the peak of spaces in use.
/// </summary>
public sealed class BatchSpecHost : PlaygroundHost
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureTestServices(services => services.AddSingleton(new ScenarioRegistry(
            [.. ScenarioRegistry.All.Where(s => s.Descriptor.Id != SemaphoreSchema.Id), new WithBatchSpec(new SemaphoreScenario())])));
    }

    private sealed class WithBatchSpec(IScenario inner) : IScenario
    {
        public ScenarioDescriptor Descriptor { get; } = inner.Descriptor with { Batch = new BatchSpec { Vary = SemaphoreSchema.Kind, Measure = "peakInUse" } };

        public RunPlan Plan(ParameterValues values) => inner.Plan(values);

        public IScenarioExecution Create(ParameterValues values, RunEnvironment? environment = null) => inner.Create(values, environment);
    }
}

public sealed class BatchMeasureTests(BatchSpecHost host) : IClassFixture<BatchSpecHost>
{
    [Fact(Timeout = 60_000)]
    public async Task A_scenario_with_a_batch_spec_has_each_row_average_its_metric()
    {
        var http = host.CreateApiClient(nameof(A_scenario_with_a_batch_spec_has_each_row_average_its_metric));

        var started = await http.StartBatchAsync(SemaphoreSchema.Id, BatchApi.QuickParking,
            new Dictionary<string, string[]> { ["kind"] = ["bounded", "counting"] }, repeat: 4);
        var batch = await http.WaitForFinalBatchAsync(started.Id);

        Assert.Equal(BatchState.Completed, batch.State);
        Assert.Equal("peakInUse", batch.Measure);
        foreach (var row in batch.Rows)
        {
            var peaks = new List<double>();
            foreach (var id in row.RunIds)
            {
                peaks.Add((await http.GetRunAsync(id)).Summary!.Metrics.Single(m => m.Name == "peakInUse").Value);
            }

            Assert.Equal(4, peaks.Count);
            Assert.Equal(Math.Round(peaks.Average(), 3), row.Mean!.Value, 6);
        }
    }

    [Fact(Timeout = 30_000)]
    public async Task The_catalog_names_the_batch_knob_and_measure()
    {
        var http = host.CreateApiClient(nameof(The_catalog_names_the_batch_knob_and_measure));

        using var json = System.Text.Json.JsonDocument.Parse(await http.GetStringAsync(new Uri("api/scenarios", UriKind.Relative)));

        var scenarios = json.RootElement.EnumerateArray().ToDictionary(s => s.GetProperty("id").GetString()!);
        var batch = scenarios[SemaphoreSchema.Id].GetProperty("batch");
        Assert.Equal("kind", batch.GetProperty("vary").GetString());
        Assert.Equal("peakInUse", batch.GetProperty("measure").GetString());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, scenarios[RunApi.Scenario].GetProperty("batch").ValueKind);
    }
}

/// <summary>The in-circuit batch service: the circuit's owner, one start from the limiter, a watch to the end.</summary>
public sealed class OneStartPerWindowHost : PlaygroundHost
{
    protected override IReadOnlyDictionary<string, string> Settings { get; } = new Dictionary<string, string>
    {
        ["Limits:StartsPerIdentity"] = "2",
        ["Limits:StartWindowSeconds"] = "3600",
    };
}

public sealed class BatchServiceTests(OneStartPerWindowHost host) : IClassFixture<OneStartPerWindowHost>
{
    [Fact(Timeout = 60_000)]
    public async Task A_batch_takes_one_start_its_runs_take_none_and_the_watch_ends_with_the_final_state()
    {
        await using var scope = host.Services.CreateAsyncScope();
        var service = scope.ServiceProvider.GetRequiredService<IBatchService>();
        var owner = scope.ServiceProvider.GetRequiredService<CircuitOwner>().Owner;

        var result = service.Start(new BatchStartRequest(SemaphoreSchema.Id,
            BatchApi.QuickParking.ToDictionary(p => p.Key, p => (string?)Convert.ToString(p.Value, System.Globalization.CultureInfo.InvariantCulture)),
            new Dictionary<string, IReadOnlyList<string>> { ["kind"] = ["counting", "bounded"] }, Repeat: 3));
        Assert.True(result.Accepted, result.Message?.Text);
        var seen = new List<BatchInfo>();
        using var cts = new CancellationTokenSource(PlaygroundHost.Patience);
        await foreach (var info in service.WatchAsync(result.Batch!.Id, cts.Token))
        {
            seen.Add(info);
        }

        Assert.Equal(BatchState.Completed, seen[^1].State);
        Assert.Equal(6, seen[^1].Done);
        Assert.Equal(seen.Select(b => b.Done).Order(), seen.Select(b => b.Done));
        Assert.All(host.Services.GetRequiredService<RunManager>().List(owner), r => Assert.Equal(owner, r.Owner));
        Assert.Equal(6, host.Services.GetRequiredService<RunManager>().List(owner).Count);
        Assert.Equal([result.Batch.Id], service.List().Select(b => b.Id));
        Assert.False(service.Cancel(result.Batch.Id), "an ended batch cannot be cancelled");
        Assert.Equal(new BatchLimits(50, 16, 200, 900), service.Limits);

        // Two starts per identity: the batch took one, its six runs none.
        var starts = host.Services.GetRequiredService<StartLimiter>();
        Assert.True(starts.TryTake(owner));
        Assert.False(starts.TryTake(owner));
    }
}
