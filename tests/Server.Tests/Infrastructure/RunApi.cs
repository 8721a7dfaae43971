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

    /// <summary>Starts a run of any scenario and returns its id, failing the test unless it was accepted.</summary>
    public static async Task<string> StartRunAsync(this HttpClient http, string scenario, IReadOnlyDictionary<string, object> parameters)
    {
        using var response = await http.PostRunAsync(parameters, scenario);
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"{scenario}: {response.StatusCode} {await response.Content.ReadAsStringAsync()}");
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

    /// <summary>The whole recorded log of a run, read page by page through the next cursors.</summary>
    public static async Task<IReadOnlyList<RunEventDto>> GetEventsAsync(this HttpClient http, string id)
    {
        var all = new List<RunEventDto>();
        string? cursor = null;
        for (var pages = 0; pages < 10_000; pages++)
        {
            var page = await http.GetEventPageAsync(id, cursor);
            all.AddRange(page.Events);
            if (page.Next is null)
            {
                return all;
            }

            cursor = page.Next;
        }

        Assert.Fail($"the log of run {id} did not end after 10,000 pages");
        return all;
    }

    public static async Task<EventPage> GetEventPageAsync(this HttpClient http, string id, string? from, int? limit = null)
    {
        var query = new List<string>();
        if (from is not null)
        {
            query.Add("from=" + Uri.EscapeDataString(from));
        }

        if (limit is not null)
        {
            query.Add("limit=" + limit.Value.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        var url = $"api/runs/{id}/events" + (query.Count > 0 ? "?" + string.Join('&', query) : "");
        var page = await http.GetFromJsonAsync<EventPage>(url, PlaygroundHost.Json);
        Assert.NotNull(page);
        return page;
    }

    /// <summary>
    /// Polls the run until <paramref name="done"/> holds. Only for REST-only tests, where there is
    /// no event to await; bounded by <see cref="PlaygroundHost.Patience"/>.
    /// </summary>
    public static async Task<RunInfo> WaitForRunAsync(this HttpClient http, string id, Func<RunInfo, bool> done, TimeSpan? patience = null)
    {
        var wait = patience ?? PlaygroundHost.Patience;
        var deadline = DateTimeOffset.UtcNow + wait;
        while (true)
        {
            var run = await http.GetRunAsync(id);
            if (done(run))
            {
                return run;
            }

            if (DateTimeOffset.UtcNow > deadline)
            {
                Assert.Fail($"run {id} is still {run.State} after {wait.TotalSeconds:0} s");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(50));
        }
    }

    public static Task<RunInfo> WaitForFinalAsync(this HttpClient http, string id, TimeSpan? patience = null) =>
        http.WaitForRunAsync(id, r => r.State.IsFinal(), patience);

    /// <summary>Sorted by (t, actor, kind, value, resource, level): the order used to compare logs as multisets.</summary>
    public static List<RunEventDto> Sorted(IEnumerable<RunEventDto> events) =>
        [.. events.OrderBy(e => e.T).ThenBy(e => e.Actor).ThenBy(e => e.Kind, StringComparer.Ordinal)
            .ThenBy(e => e.Value).ThenBy(e => e.Resource, StringComparer.Ordinal).ThenBy(e => e.Level)];

    public sealed record StartedRun(string Id, RunState State, int? QueuePosition);
}
