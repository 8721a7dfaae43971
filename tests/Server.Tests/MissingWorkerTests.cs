using System.Net;
using System.Text.Json;
using Playground.Server.Tests.Infrastructure;

namespace Playground.Server.Tests;

/// <summary>A host whose worker program cannot be found.</summary>
public sealed class NoWorkerHost : PlaygroundHost
{
    protected override IReadOnlyDictionary<string, string> Settings { get; } = new Dictionary<string, string>
    {
        ["Processes:WorkerPath"] = "/nonexistent/Playground.Worker.dll",
    };
}

public sealed class MissingWorkerTests(NoWorkerHost host) : IClassFixture<NoWorkerHost>
{
    [Fact(Timeout = 30_000)]
    public async Task Health_says_processes_mode_is_unavailable_and_why()
    {
        var http = host.CreateApiClient(nameof(Health_says_processes_mode_is_unavailable_and_why));

        using var response = await http.GetAsync(new Uri("healthz", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("Degraded", json.RootElement.GetProperty("status").GetString());
        var worker = json.RootElement.GetProperty("checks").EnumerateArray().Single(c => c.GetProperty("name").GetString() == "worker");
        Assert.Contains("not found", worker.GetProperty("description").GetString(), StringComparison.Ordinal);
    }

    [Fact(Timeout = 30_000)]
    public async Task The_catalog_offers_only_threads_and_a_processes_run_is_a_400_naming_mode()
    {
        var http = host.CreateApiClient(nameof(The_catalog_offers_only_threads_and_a_processes_run_is_a_400_naming_mode));

        using var catalog = JsonDocument.Parse(await http.GetStringAsync(new Uri("api/scenarios", UriKind.Relative)));
        var pc = catalog.RootElement.EnumerateArray().Single(s => s.GetProperty("id").GetString() == RunApi.Scenario);
        Assert.Equal(["threads"], pc.GetProperty("modes").EnumerateArray().Select(m => m.GetString()));

        using var response = await http.PostRunAsync(new Dictionary<string, object> { ["mode"] = "processes", ["timeScale"] = 0.01 });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var messages = json.RootElement.GetProperty("errors").GetProperty("mode");
        Assert.Contains(messages.EnumerateArray(), m => m.GetString()!.Contains("unavailable", StringComparison.Ordinal));
    }

    [Fact(Timeout = 30_000)]
    public async Task The_pools_process_executors_are_refused_naming_the_executor_and_threads_still_run()
    {
        var http = host.CreateApiClient(nameof(The_pools_process_executors_are_refused_naming_the_executor_and_threads_still_run));

        using var catalog = JsonDocument.Parse(await http.GetStringAsync(new Uri("api/scenarios", UriKind.Relative)));
        var pool = catalog.RootElement.EnumerateArray().Single(s => s.GetProperty("id").GetString() == "pool");
        Assert.Equal(["threads", "async"], pool.GetProperty("modes").EnumerateArray().Select(m => m.GetString()));

        foreach (var executor in new[] { "processPool", "processPerTask" })
        {
            using var response = await http.PostRunAsync(new Dictionary<string, object> { ["executor"] = executor, ["timeScale"] = 0.01 }, "pool");

            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            var messages = json.RootElement.GetProperty("errors").GetProperty("executor");
            Assert.Contains(messages.EnumerateArray(), m => m.GetString()!.Contains("unavailable", StringComparison.Ordinal));
        }

        using var threads = await http.PostRunAsync(new Dictionary<string, object> { ["executor"] = "threadPool", ["timeScale"] = 0.01 }, "pool");
        Assert.Equal(HttpStatusCode.Accepted, threads.StatusCode);
    }
}
