using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Playground.Server.Runs;
using Playground.Server.Tests.Infrastructure;
using Playground.Shared.Catalog;
using Playground.Shared.Runs;

namespace Playground.Server.Tests;

/// <summary>The semaphore scenario through the API, at the seed's own numbers and against the caps.</summary>
public sealed class SemaphoreRunTests(PlaygroundHost host) : IClassFixture<PlaygroundHost>
{
    [Theory(Timeout = 60_000)]
    [InlineData(RunModes.Threads)]
    [InlineData(RunModes.Async)]
    public async Task The_tutorials_hundred_cars_run_and_never_overfill_the_five_spaces(string mode)
    {
        var http = host.CreateApiClient("semaphore-" + mode);

        using var response = await http.PostRunAsync(new Dictionary<string, object> { ["mode"] = mode, ["timeScale"] = 0.01 }, SemaphoreSchema.Id);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var started = JsonSerializer.Deserialize<RunApi.StartedRun>(await response.Content.ReadAsStringAsync(), PlaygroundHost.Json);
        var run = await http.WaitForFinalAsync(started!.Id);

        Assert.True(run.State == RunState.Completed, $"{run.State}: {run.Reason}");
        Assert.NotNull(run.Summary);
        Assert.True(run.Summary.Verdict.Held, string.Join("; ", run.Summary.Verdict.Evidence));
        Assert.Equal(100, run.Actors.Count);
        Assert.All(run.Actors, a => Assert.Equal("car", a.Role));
        var peak = run.Summary.Metrics.Single(m => m.Name == "peakInUse").Value;
        Assert.InRange(peak, 1, 5);
        Assert.Equal(5, run.Summary.Metrics.Single(m => m.Name == "finalCount").Value);
    }

    [Fact(Timeout = 30_000)]
    public async Task Two_hundred_car_processes_are_refused_before_the_run_with_the_cap_named_on_the_cars_field()
    {
        var http = host.CreateApiClient(nameof(Two_hundred_car_processes_are_refused_before_the_run_with_the_cap_named_on_the_cars_field));
        var parameters = new Dictionary<string, string?> { ["mode"] = RunModes.Processes, [SemaphoreSchema.Workers] = "200" };

        var check = host.Services.GetRequiredService<RunManager>().Check(new RunStartRequest(SemaphoreSchema.Id, parameters));
        using var response = await http.PostRunAsync(new Dictionary<string, object> { ["mode"] = RunModes.Processes, [SemaphoreSchema.Workers] = 200 }, SemaphoreSchema.Id);

        Assert.NotNull(check);
        var limit = Assert.Single(check.Limits);
        Assert.Contains(SemaphoreSchema.Workers, limit.Fields);
        Assert.Contains(CommonParameters.Mode, limit.Fields);
        Assert.Contains("201 processes", limit.Text.Format(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
        Assert.Contains("at most 128", limit.Text.Format(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Theory]
    [InlineData(RunModes.Threads, "200")]
    [InlineData(RunModes.Async, "200")]
    [InlineData(RunModes.Processes, "127")]
    public void The_largest_setups_of_each_mode_fit_every_cap(string mode, string workers)
    {
        var check = host.Services.GetRequiredService<RunManager>().Check(new RunStartRequest(SemaphoreSchema.Id,
            new Dictionary<string, string?> { ["mode"] = mode, [SemaphoreSchema.Workers] = workers }));

        Assert.NotNull(check);
        Assert.Empty(check.Limits);
        Assert.Equal(int.Parse(workers, System.Globalization.CultureInfo.InvariantCulture), check.Actors);
    }
}
