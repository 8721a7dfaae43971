using System.Net;
using System.Text;
using System.Text.Json;
using Playground.Server.Tests.Infrastructure;

namespace Playground.Server.Tests;

/// <summary>A host whose start limit per address leaves room for every bad batch below, sent one after another.</summary>
public sealed class ManyStartsHost : PlaygroundHost
{
    protected override IReadOnlyDictionary<string, string> Settings { get; } = new Dictionary<string, string>
    {
        ["Limits:StartsPerAddress"] = "1000",
    };
}

/// <summary>Every bad batch is refused whole, with errors naming the field, before any run starts.</summary>
public sealed class BatchInputTests(ManyStartsHost host) : IClassFixture<ManyStartsHost>
{
    /// <summary>A semaphore batch of ten quick cars, with the rest of the body as given.</summary>
    private static string Semaphore(string rest) => """{"scenario":"semaphore","parameters":{"workers":10,"timeScale":0.001},""" + rest + "}";

    public static TheoryData<string, string, string, string> BadBatches => new()
    {
        // name of the case, body, field the error names, text the message contains
        { "repeat 0", Semaphore(""" "vary":{"kind":["counting"]},"repeat":0 """), "repeat", "from 1 to 50 (got 0)" },
        { "repeat 51", Semaphore(""" "vary":{"kind":["counting"]},"repeat":51 """), "repeat", "from 1 to 50 (got 51)" },
        { "repeat missing", Semaphore(""" "vary":{"kind":["counting"]} """), "repeat", "repeat is missing" },
        { "repeat not a number", Semaphore(""" "repeat":"lots" """), "repeat", "(got lots)" },
        { "repeat a fraction", Semaphore(""" "repeat":2.5 """), "repeat", "whole number" },
        { "repeat true", Semaphore(""" "repeat":true """), "repeat", "number or a string, not true" },
        { "unknown knob", Semaphore(""" "vary":{"locks":["none"]},"repeat":2 """), "vary.locks", "not a knob of semaphore; the knobs a batch can vary are workers, permits, arrival, kind, extraRelease, mode, seed" },
        { "value not an option", Semaphore(""" "vary":{"kind":["counting","fair"]},"repeat":2 """), "vary.kind", "one of counting, bounded (got 'fair')" },
        { "value twice", Semaphore(""" "vary":{"kind":["counting","Counting"]},"repeat":2 """), "vary.kind", "'counting' is listed twice" },
        { "no values", Semaphore(""" "vary":{"kind":[]},"repeat":2 """), "vary.kind", "at least one value" },
        { "not a choice or whole-number knob", Semaphore(""" "vary":{"hold":["5","10"]},"repeat":2 """), "vary.hold", "varies only knobs with a list of options or whole numbers" },
        { "a whole number out of range", Semaphore(""" "vary":{"workers":["5","1000"]},"repeat":2 """), "vary.workers", "workers must be an integer from 1 to 200" },
        { "a whole number twice", Semaphore(""" "vary":{"permits":["5","5.0"]},"repeat":2 """), "vary.permits", "'5' is listed twice" },
        { "too many combinations", Semaphore(""" "vary":{"mode":["threads","processes","async"],"kind":["counting","bounded"],"extraRelease":["on","off"],"arrival":["together","staggered"]},"repeat":1 """), "vary", "24 combinations; a batch may compare at most 16" },
        { "too many runs", Semaphore(""" "vary":{"mode":["threads","async"],"kind":["counting","bounded"],"arrival":["together","staggered"]},"repeat":30 """), "repeat", "8 combination(s) × 30 runs = 240 runs; a batch may start at most 200" },
        { "too long in all", """{"scenario":"semaphore","vary":{"kind":["counting","bounded"]},"repeat":50}""", "repeat", "a batch may take at most 900 s" },
        { "vary a list", Semaphore(""" "vary":["kind"],"repeat":2 """), "vary", "must be a JSON object, not array" },
        { "values a string", Semaphore(""" "vary":{"kind":"counting"},"repeat":2 """), "vary.kind", "must be a list of values" },
        { "values numbers", Semaphore(""" "vary":{"kind":[1,2]},"repeat":2 """), "vary.kind", "every value must be a string, not number" },
        { "parameters a list", """{"scenario":"semaphore","parameters":[1],"repeat":2}""", "parameters", "must be a JSON object" },
        { "fixed knob out of range", """{"scenario":"semaphore","parameters":{"workers":500},"repeat":2}""", "workers", "1 to 200" },
        { "unknown scenario", """{"scenario":"dining-philosophers","repeat":2}""", "scenario", "unknown scenario" },
        { "combination too large", """{"scenario":"semaphore","parameters":{"workers":200,"timeScale":0.001},"vary":{"mode":["threads","processes"]},"repeat":2}""", "", "with mode = processes: this setup needs 201 processes" },
    };

    [Theory(Timeout = 30_000)]
    [MemberData(nameof(BadBatches))]
    public async Task A_bad_batch_is_a_400_naming_the_field_and_nothing_starts(string @case, string body, string field, string expected)
    {
        var http = host.CreateApiClient("batch-input-" + @case);

        using var response = await http.PostRawBatchAsync(body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var text = await response.Content.ReadAsStringAsync();
        using var json = JsonDocument.Parse(text);
        if (field.Length == 0)
        {
            Assert.Contains(expected, json.RootElement.GetProperty("detail").GetString(), StringComparison.Ordinal);
        }
        else
        {
            var errors = json.RootElement.GetProperty("errors");
            Assert.True(errors.TryGetProperty(field, out var messages), $"errors has no key '{field}': {errors}");
            Assert.Contains(messages.EnumerateArray(), m => m.GetString()!.Contains(expected, StringComparison.Ordinal));
        }

        Assert.Empty(await http.ListBatchesAsync());
        Assert.Empty(await http.ListRunsAsync());
    }

    [Fact(Timeout = 30_000)]
    public async Task A_flood_of_values_or_of_knobs_gets_one_short_error()
    {
        var http = host.CreateApiClient(nameof(A_flood_of_values_or_of_knobs_gets_one_short_error));
        var values = string.Join(',', Enumerable.Range(0, 5_000).Select(i => $"\"v{i}\""));
        var names = string.Join(',', Enumerable.Range(0, 2_000).Select(i => $"\"k{i}\":[\"a\"]"));

        using var longList = await http.PostRawBatchAsync($$"""{"scenario":"semaphore","vary":{"kind":[{{values}}]},"repeat":2}""");
        using var manyNames = await http.PostRawBatchAsync($$"""{"scenario":"semaphore","vary":{{{names}}},"repeat":2}""");

        Assert.Equal(HttpStatusCode.BadRequest, longList.StatusCode);
        var first = await longList.Content.ReadAsStringAsync();
        Assert.Contains("vary.kind lists 5,000 values; a batch compares at most 16 settings", first, StringComparison.Ordinal);
        Assert.True(first.Length < 1_000, $"{first.Length} characters for one error");
        Assert.Equal(HttpStatusCode.BadRequest, manyNames.StatusCode);
        var second = await manyNames.Content.ReadAsStringAsync();
        Assert.Contains("vary names 2,000 knobs, but semaphore has only 10", second, StringComparison.Ordinal);
        Assert.True(second.Length < 1_000, $"{second.Length} characters for one error");
        Assert.Empty(await http.ListBatchesAsync());
    }

    [Theory(Timeout = 30_000)]
    [InlineData("""{"scenario": "semaphore", "vary": {""")]
    [InlineData("""not json at all""")]
    [InlineData("""[1, 2]""")]
    [InlineData("""{"scenario": 5, "repeat": 2}""")]
    public async Task A_malformed_body_is_a_400_that_shows_a_batch(string body)
    {
        var http = host.CreateApiClient(nameof(A_malformed_body_is_a_400_that_shows_a_batch));

        using var response = await http.PostRawBatchAsync(body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Contains("\"repeat\": 10", json.RootElement.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact(Timeout = 30_000)]
    public async Task A_body_that_is_not_json_is_415()
    {
        var http = host.CreateApiClient(nameof(A_body_that_is_not_json_is_415));

        using var response = await http.PostAsync(new Uri("api/batches", UriKind.Relative),
            new StringContent("""{"scenario":"semaphore","repeat":2}""", Encoding.UTF8, "text/plain"));

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
    }
}
