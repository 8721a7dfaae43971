using System.Net;
using System.Net.Http.Json;
using System.Text;
using Playground.Shared.Events;
using Playground.Shared.Runs;

namespace Playground.Server.Tests.Infrastructure;

/// <summary>The REST calls the tests make, typed with the shared contracts.</summary>
public static class RunApi
{
    public const string Scenario = "producer-consumer";

    /// <summary>Quick: the default setup a hundred times faster.</summary>
    public static readonly Dictionary<string, object> Fast = new() { ["timeScale"] = 0.01 };

    /// <summary>Long enough to be cancelled or queued behind (about half a minute at real speed).</summary>
    public static readonly Dictionary<string, object> Long = new() { ["items"] = 100, ["timeScale"] = 1 };

    public static Task<HttpResponseMessage> PostRunAsync(this HttpClient http, IReadOnlyDictionary<string, object>? parameters, string scenario = Scenario) =>
        http.PostAsJsonAsync("api/runs", new { scenario, parameters }, PlaygroundHost.Json);

    public static Task<HttpResponseMessage> PostRawAsync(this HttpClient http, string json) =>
        http.PostAsync("api/runs", new StringContent(json, Encoding.UTF8, "application/json"));

    /// <summary>Starts a run and returns its id, failing the test unless it was accepted.</summary>
    public static async Task<string> StartRunAsync(this HttpClient http, IReadOnlyDictionary<string, object> parameters)
    {
        using var response = await http.PostRunAsync(parameters);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var started = await response.Content.ReadFromJsonAsync<StartedRun>(PlaygroundHost.Json);
        Assert.NotNull(started);
        return started.Id;
    }

    public static async Task<RunInfo> GetRunAsync(this HttpClient http, string id)
    {
        var run = await http.GetFromJsonAsync<RunInfo>($"api/runs/{id}", PlaygroundHost.Json);
        Assert.NotNull(run);
        return run;
    }

    public static async Task<IReadOnlyList<RunInfo>> ListRunsAsync(this HttpClient http) =>
        await http.GetFromJsonAsync<List<RunInfo>>("api/runs", PlaygroundHost.Json) ?? [];

    public static async Task<IReadOnlyList<RunEventDto>> GetEventsAsync(this HttpClient http, string id) =>
        await http.GetFromJsonAsync<List<RunEventDto>>($"api/runs/{id}/events", PlaygroundHost.Json) ?? [];

    /// <summary>
    /// Polls the run until <paramref name="done"/> holds. Only for REST-only tests, where there is
    /// no event to await; bounded by <see cref="PlaygroundHost.Patience"/>.
    /// </summary>
    public static async Task<RunInfo> WaitForRunAsync(this HttpClient http, string id, Func<RunInfo, bool> done)
    {
        var deadline = DateTimeOffset.UtcNow + PlaygroundHost.Patience;
        while (true)
        {
            var run = await http.GetRunAsync(id);
            if (done(run))
            {
                return run;
            }

            if (DateTimeOffset.UtcNow > deadline)
            {
                Assert.Fail($"run {id} is still {run.State} after {PlaygroundHost.Patience.TotalSeconds:0} s");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(50));
        }
    }

    public static Task<RunInfo> WaitForFinalAsync(this HttpClient http, string id) => http.WaitForRunAsync(id, r => r.State.IsFinal());

    /// <summary>Sorted by (t, actor, kind, value, resource, level): the order used to compare logs as multisets.</summary>
    public static List<RunEventDto> Sorted(IEnumerable<RunEventDto> events) =>
        [.. events.OrderBy(e => e.T).ThenBy(e => e.Actor).ThenBy(e => e.Kind, StringComparer.Ordinal)
            .ThenBy(e => e.Value).ThenBy(e => e.Resource, StringComparer.Ordinal).ThenBy(e => e.Level)];

    public sealed record StartedRun(string Id, RunState State, int? QueuePosition);
}
