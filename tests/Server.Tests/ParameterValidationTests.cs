using System.Net;
using System.Text.Json;
using Playground.Server.Tests.Infrastructure;

namespace Playground.Server.Tests;

public sealed class ParameterValidationTests(PlaygroundHost host) : IClassFixture<PlaygroundHost>
{
    public static TheoryData<string, string, string, string> BadParameters => new()
    {
        // name of the case, body, field the error names, text the message contains
        { "out of range", """{"scenario":"producer-consumer","parameters":{"consumers":99}}""", "consumers", "1 to 16" },
        { "text for a number", """{"scenario":"producer-consumer","parameters":{"items":"abc"}}""", "items", "abc" },
        { "bool for a number", """{"scenario":"producer-consumer","parameters":{"items":true}}""", "items", "number or a string" },
        { "unknown parameter", """{"scenario":"producer-consumer","parameters":{"foo":1}}""", "foo", "not a parameter" },
        { "unknown scenario", """{"scenario":"dining-philosophers","parameters":{}}""", "scenario", "unknown scenario" },
        { "bad choice", """{"scenario":"producer-consumer","parameters":{"queueKind":"heap"}}""", "queueKind", "fifo, lifo, priority" },
    };

    [Theory(Timeout = 30_000)]
    [MemberData(nameof(BadParameters))]
    public async Task Bad_parameter_is_a_400_naming_the_field(string @case, string body, string field, string expected)
    {
        var http = host.CreateApiClient("validation-" + @case);

        using var response = await http.PostRawAsync(body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var errors = json.RootElement.GetProperty("errors");
        Assert.True(errors.TryGetProperty(field, out var messages), $"errors has no key '{field}': {errors}");
        Assert.Contains(messages.EnumerateArray(), m => m.GetString()!.Contains(expected, StringComparison.Ordinal));
    }

    [Theory(Timeout = 30_000)]
    [InlineData("""{"scenario": "producer-consumer", "parameters": {""")]
    [InlineData("""not json at all""")]
    [InlineData("""{"scenario": "producer-consumer", "parameters": [1, 2]}""")]
    [InlineData("""{"scenario": 5}""")]
    public async Task Malformed_body_is_a_400_not_a_500(string body)
    {
        var http = host.CreateApiClient(nameof(Malformed_body_is_a_400_not_a_500));

        using var response = await http.PostRawAsync(body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Contains("JSON object", json.RootElement.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact(Timeout = 30_000)]
    public async Task Setup_longer_than_the_deadline_is_a_400_that_says_why()
    {
        var http = host.CreateApiClient(nameof(Setup_longer_than_the_deadline_is_a_400_that_says_why));

        using var response = await http.PostRunAsync(new Dictionary<string, object> { ["items"] = 10000, ["timeScale"] = 1 });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var detail = json.RootElement.GetProperty("detail").GetString();
        Assert.NotNull(detail);
        Assert.Contains("limited to 60 s", detail, StringComparison.Ordinal);
        Assert.Contains("time scale", detail, StringComparison.Ordinal);
    }

    [Fact(Timeout = 30_000)]
    public async Task No_bad_request_leaves_a_run_behind()
    {
        var http = host.CreateApiClient(nameof(No_bad_request_leaves_a_run_behind));
        using var response = await http.PostRunAsync(new Dictionary<string, object> { ["consumers"] = 0 });
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);

        var runs = await http.ListRunsAsync();

        Assert.Empty(runs);
    }
}
