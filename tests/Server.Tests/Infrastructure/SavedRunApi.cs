using System.Net;
using System.Net.Http.Json;
using Playground.Shared.Runs;

namespace Playground.Server.Tests.Infrastructure;

/// <summary>The saved-run calls the tests make.</summary>
public static class SavedRunApi
{
    public static Task<HttpResponseMessage> PostSaveAsync(this HttpClient http, string id) =>
        http.PostAsync(new Uri($"api/runs/{Uri.EscapeDataString(id)}/save", UriKind.Relative), null);

    /// <summary>Saves a run, failing the test unless the answer is <paramref name="expected"/>; returns the saved run.</summary>
    public static async Task<SavedRunInfo> SaveAsync(this HttpClient http, string id, HttpStatusCode expected = HttpStatusCode.Created)
    {
        using var response = await http.PostSaveAsync(id);
        Assert.True(response.StatusCode == expected, $"save {id}: {response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        Assert.Equal(new Uri($"/api/saved-runs/{id}", UriKind.Relative), response.Headers.Location);
        var saved = await response.Content.ReadFromJsonAsync<SavedRunInfo>(PlaygroundHost.Json);
        Assert.NotNull(saved);
        return saved;
    }

    public static async Task<SavedRunPage> ListSavedAsync(this HttpClient http, string query = "")
    {
        var page = await http.GetFromJsonAsync<SavedRunPage>(new Uri("api/saved-runs" + query, UriKind.Relative), PlaygroundHost.Json);
        Assert.NotNull(page);
        return page;
    }

    public static Task<HttpResponseMessage> DeleteSavedAsync(this HttpClient http, string id) =>
        http.DeleteAsync(new Uri($"api/saved-runs/{Uri.EscapeDataString(id)}", UriKind.Relative));

    public static Task<HttpResponseMessage> GetSavedAsync(this HttpClient http, string id) =>
        http.GetAsync(new Uri($"api/saved-runs/{Uri.EscapeDataString(id)}", UriKind.Relative));

    /// <summary>The body of a GET, failing the test unless it is a 200.</summary>
    public static async Task<string> GetTextAsync(this HttpClient http, string path)
    {
        using var response = await http.GetAsync(new Uri(path, UriKind.Relative));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET {path}: {response.StatusCode} {text}");
        return text;
    }
}
