using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Playground.Server.Tests.Infrastructure;

namespace Playground.Server.Tests;

/// <summary>Field names stay English; messages follow the caller's language.</summary>
public sealed class LanguageTests(PlaygroundHost host) : IClassFixture<PlaygroundHost>
{
    private async Task<JsonDocument> RefusedAsync(string clientId, string? acceptLanguage, string body)
    {
        var http = host.CreateApiClient(clientId);
        if (acceptLanguage is not null)
        {
            http.DefaultRequestHeaders.AcceptLanguage.Add(StringWithQualityHeaderValue.Parse(acceptLanguage));
        }

        using var response = await http.PostRawAsync(body);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync());
    }

    [Theory(Timeout = 30_000)]
    [InlineData("zh-CN", "必须是介于 1 到 16 之间的整数", "参数无效")]
    [InlineData("zh-TW", "必须是介于 1 到 16 之间的整数", "参数无效")]
    [InlineData("en-GB", "must be an integer from 1 to 16", "Invalid parameters")]
    [InlineData(null, "must be an integer from 1 to 16", "Invalid parameters")]
    public async Task Problem_details_follow_Accept_Language(string? language, string message, string title)
    {
        using var json = await RefusedAsync("lang-" + (language ?? "none"), language,
            """{"scenario":"producer-consumer","parameters":{"consumers":99}}""");

        Assert.Equal(title, json.RootElement.GetProperty("title").GetString());
        var errors = json.RootElement.GetProperty("errors").GetProperty("consumers");
        Assert.Contains(message, errors[0].GetString(), StringComparison.Ordinal);
    }

    [Fact(Timeout = 30_000)]
    public async Task A_lang_query_wins_over_Accept_Language()
    {
        var http = host.CreateApiClient("lang-query");
        http.DefaultRequestHeaders.AcceptLanguage.Add(StringWithQualityHeaderValue.Parse("en"));

        using var response = await http.PostAsync("api/runs?lang=zh",
            new StringContent("""{"scenario":"producer-consumer","parameters":{"jitter":"0,5"}}""", System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Contains("小数请用小数点", json.RootElement.GetProperty("errors").GetProperty("jitter")[0].GetString(), StringComparison.Ordinal);
    }

    [Fact(Timeout = 30_000)]
    public async Task A_run_recorded_for_a_Chinese_reader_reads_in_English_for_the_next()
    {
        var zh = host.CreateApiClient("lang-run");
        zh.DefaultRequestHeaders.AcceptLanguage.Add(StringWithQualityHeaderValue.Parse("zh-CN"));
        var id = await zh.StartRunAsync(new Dictionary<string, object> { ["items"] = 3, ["timeScale"] = 0.01 });
        await zh.WaitForFinalAsync(id);

        var en = host.CreateApiClient("lang-run-reader");
        en.DefaultRequestHeaders.AcceptLanguage.Add(StringWithQualityHeaderValue.Parse("en"));
        using var response = await en.GetAsync($"api/runs/{id}");
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var verdict = json.RootElement.GetProperty("summary").GetProperty("verdict");

        // The record keeps keys and arguments; the text is made for whoever reads it.
        Assert.Equal("pc.invariant", verdict.GetProperty("invariant").GetProperty("key").GetString());
        Assert.StartsWith("Every item produced", verdict.GetProperty("invariant").GetProperty("text").GetString(), StringComparison.Ordinal);
        Assert.Equal("all 3 items produced were consumed exactly once", verdict.GetProperty("evidence")[0].GetProperty("text").GetString());

        using var again = await zh.GetAsync($"api/runs/{id}");
        using var zhJson = JsonDocument.Parse(await again.Content.ReadAsStringAsync());
        Assert.Equal("生产的 3 个包子都恰好被吃掉一次",
            zhJson.RootElement.GetProperty("summary").GetProperty("verdict").GetProperty("evidence")[0].GetProperty("text").GetString());
    }
}
