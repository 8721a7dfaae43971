using System.Net;
using System.Net.Http.Json;
using System.Text;
using Playground.Shared.Runs;

namespace Playground.Server.Tests.Infrastructure;

/// <summary>The batch REST calls the tests make, typed with the shared contracts.</summary>
public static class BatchApi
{
    /// <summary>Ten cars, the extra release planted, a thousand times faster: a run takes a few milliseconds.</summary>
    public static readonly Dictionary<string, object> QuickParking = new()
    {
        ["workers"] = 10,
        ["extraRelease"] = "on",
        ["timeScale"] = 0.001,
    };

    public static Task<HttpResponseMessage> PostBatchAsync(this HttpClient http, string scenario, IReadOnlyDictionary<string, object>? parameters,
        IReadOnlyDictionary<string, string[]>? vary, int repeat) =>
        http.PostAsJsonAsync("api/batches", new { scenario, parameters, vary, repeat }, PlaygroundHost.Json);

    public static Task<HttpResponseMessage> PostRawBatchAsync(this HttpClient http, string json) =>
        http.PostAsync("api/batches", new StringContent(json, Encoding.UTF8, "application/json"));

    /// <summary>Starts a batch and returns what the server answered, failing the test unless it was accepted.</summary>
    public static async Task<BatchInfo> StartBatchAsync(this HttpClient http, string scenario, IReadOnlyDictionary<string, object>? parameters,
        IReadOnlyDictionary<string, string[]>? vary, int repeat)
    {
        using var response = await http.PostBatchAsync(scenario, parameters, vary, repeat);
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, await response.Content.ReadAsStringAsync());
        var batch = await response.Content.ReadFromJsonAsync<BatchInfo>(PlaygroundHost.Json);
        Assert.NotNull(batch);
        Assert.Equal($"/api/batches/{batch.Id}", response.Headers.Location?.OriginalString);
        return batch;
    }

    public static async Task<BatchInfo> GetBatchAsync(this HttpClient http, string id)
    {
        var batch = await http.GetFromJsonAsync<BatchInfo>($"api/batches/{id}", PlaygroundHost.Json);
        Assert.NotNull(batch);
        return batch;
    }

    public static async Task<IReadOnlyList<BatchInfo>> ListBatchesAsync(this HttpClient http) =>
        await http.GetFromJsonAsync<List<BatchInfo>>("api/batches", PlaygroundHost.Json) ?? [];

    /// <summary>Polls the batch until <paramref name="done"/> holds (REST only: there is no event to await).</summary>
    public static async Task<BatchInfo> WaitForBatchAsync(this HttpClient http, string id, Func<BatchInfo, bool> done, TimeSpan? patience = null)
    {
        var limit = patience ?? PlaygroundHost.Patience;
        var deadline = DateTimeOffset.UtcNow + limit;
        while (true)
        {
            var batch = await http.GetBatchAsync(id);
            if (done(batch))
            {
                return batch;
            }

            if (DateTimeOffset.UtcNow > deadline)
            {
                Assert.Fail($"batch {id} is still {batch.State} ({batch.Done} of {batch.Total} runs) after {limit.TotalSeconds:0} s");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(50));
        }
    }

    public static Task<BatchInfo> WaitForFinalBatchAsync(this HttpClient http, string id, TimeSpan? patience = null) =>
        http.WaitForBatchAsync(id, b => b.State.IsFinal(), patience);

    /// <summary>Waits until the batch's newest run is running, and returns that run.</summary>
    public static async Task<RunInfo> WaitForRunningRunAsync(this HttpClient http, string batchId)
    {
        var batch = await http.WaitForBatchAsync(batchId, b => b.Rows.Any(r => r.RunIds.Count > 0));
        var runId = batch.Rows.SelectMany(r => r.RunIds).Single();
        return await http.WaitForRunAsync(runId, r => r.State == RunState.Running);
    }
}
