using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Playground.Server.Tests.Infrastructure;
using Playground.Shared.Runs;

namespace Playground.Server.Tests;

/// <summary>A host whose run API takes bodies up to 1 MiB, so a body with 10,000 names reaches the validation.</summary>
public sealed class LargeBodyHost : PlaygroundHost
{
    protected override IReadOnlyDictionary<string, string> Settings { get; } = new Dictionary<string, string>
    {
        ["Limits:MaxRequestBodyBytes"] = "1048576",
    };
}

public sealed class CheapRefusalTests(PlaygroundHost host) : IClassFixture<PlaygroundHost>
{
    private const int Cap = 64 * 1024;

    [Theory(Timeout = 30_000)]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_body_one_byte_over_64_KB_is_413_before_it_is_parsed(bool declaredLength)
    {
        var http = host.CreateApiClient(nameof(A_body_one_byte_over_64_KB_is_413_before_it_is_parsed));
        var body = PaddedRequest(Cap + 1);
        HttpContent content = declaredLength
            ? new ByteArrayContent(body)
            : new StreamContent(new MemoryStream(body)); // no length: sent chunked
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        if (!declaredLength)
        {
            content.Headers.ContentLength = null;
        }

        using var response = await http.PostAsync(new Uri("api/runs", UriKind.Relative), content);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        var text = await response.Content.ReadAsStringAsync();
        Assert.Contains("65,536 bytes", text, StringComparison.Ordinal);
        Assert.Empty(await http.ListRunsAsync());
    }

    [Fact(Timeout = 30_000)]
    public async Task A_body_of_exactly_64_KB_is_read_and_runs()
    {
        var http = host.CreateApiClient(nameof(A_body_of_exactly_64_KB_is_read_and_runs));
        using var content = new ByteArrayContent(PaddedRequest(Cap));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");

        using var response = await http.PostAsync(new Uri("api/runs", UriKind.Relative), content);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var run = Assert.Single(await http.ListRunsAsync());
        await http.WaitForFinalAsync(run.Id);
    }

    [Fact(Timeout = 30_000)]
    public async Task A_body_that_is_not_json_is_415()
    {
        var http = host.CreateApiClient(nameof(A_body_that_is_not_json_is_415));

        using var response = await http.PostAsync(new Uri("api/runs", UriKind.Relative),
            new StringContent("""{"scenario":"producer-consumer"}""", Encoding.UTF8, "text/plain"));

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact(Timeout = 30_000)]
    public async Task The_fifth_stream_on_one_connection_is_refused_and_a_freed_one_can_be_reused()
    {
        var http = host.CreateApiClient(nameof(The_fifth_stream_on_one_connection_is_refused_and_a_freed_one_can_be_reused));
        var id = await http.StartRunAsync(RunApi.Long);
        await using var hub = await host.ConnectHubAsync();
        using var cts = new CancellationTokenSource(PlaygroundHost.Patience);
        var open = new List<IAsyncEnumerator<EventBatch>>();
        using var firstStream = CancellationTokenSource.CreateLinkedTokenSource(cts.Token);
        try
        {
            for (var i = 0; i < 4; i++)
            {
                var stream = hub.OpenStream(id, i == 0 ? firstStream.Token : cts.Token);
                open.Add(stream);
                await stream.ReadUntilAsync(b => b.Run is not null);
            }

            // The fifth stream itself, read alone: live frames reach the connection for the other four.
            var error = await Assert.ThrowsAsync<HubException>(async () =>
            {
                await foreach (var _ in hub.StreamAsync<EventBatch>("StreamEvents", id, cts.Token))
                {
                }
            });

            Assert.Contains("At most 4 event streams", error.Message, StringComparison.Ordinal);
            Assert.Equal(HubConnectionState.Connected, hub.State);

            // Closing one (the client cancels it) frees its place.
            await firstStream.CancelAsync();
            await open[0].DisposeAsync();
            open.RemoveAt(0);
            var again = await RetryOpenAsync(hub, id, cts.Token);
            open.Add(again);
        }
        finally
        {
            foreach (var stream in open)
            {
                await stream.DisposeAsync();
            }

            using var cancel = await http.DeleteAsync(new Uri($"api/runs/{id}", UriKind.Relative));
        }

        Assert.Equal(RunState.Cancelled, (await http.WaitForFinalAsync(id)).State);
    }

    /// <summary>
    /// A closed stream frees its place once the server has seen the client's cancel message, which
    /// is not awaited by the client; until then a new stream may still be refused, so this tries a
    /// bounded number of times (a correctness wait, not a timing assertion).
    /// </summary>
    private static async Task<IAsyncEnumerator<EventBatch>> RetryOpenAsync(HubConnection hub, string id, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            var stream = hub.OpenStream(id, cancellationToken);
            try
            {
                await stream.ReadUntilAsync(b => b.Run is not null);
                return stream;
            }
            catch (HubException) when (attempt < 50)
            {
                await stream.DisposeAsync();
                await Task.Delay(100, cancellationToken);
            }
        }
    }

    /// <summary>A valid start request padded with spaces to exactly <paramref name="size"/> bytes.</summary>
    internal static byte[] PaddedRequest(int size)
    {
        var json = """{"scenario":"producer-consumer","parameters":{"timeScale":0.01}}""";
        return Encoding.UTF8.GetBytes(json + new string(' ', size - json.Length));
    }
}

public sealed class UnknownNamesTests(LargeBodyHost host) : IClassFixture<LargeBodyHost>
{
    [Fact(Timeout = 30_000)]
    public async Task Ten_thousand_unknown_names_get_one_short_400()
    {
        var http = host.CreateApiClient(nameof(Ten_thousand_unknown_names_get_one_short_400));
        var names = string.Join(',', Enumerable.Range(0, 10_000).Select(i => $"\"unknown{i}\":1"));
        var body = "{\"scenario\":\"producer-consumer\",\"parameters\":{" + names + "}}";

        using var response = await http.PostRawAsync(body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(text.Length < 1_000, $"the reply is {text.Length} characters long");
        using var json = JsonDocument.Parse(text);
        var error = Assert.Single(json.RootElement.GetProperty("errors").EnumerateObject());
        Assert.Equal("parameters", error.Name);
        var message = Assert.Single(error.Value.EnumerateArray()).GetString();
        Assert.Contains("10,000 parameters were sent", message, StringComparison.Ordinal);
        Assert.Empty(await http.ListRunsAsync());
    }

    [Fact(Timeout = 30_000)]
    public async Task The_same_refusal_reads_in_chinese()
    {
        var http = host.CreateApiClient(nameof(The_same_refusal_reads_in_chinese));
        http.DefaultRequestHeaders.AcceptLanguage.ParseAdd("zh-CN");
        var names = string.Join(',', Enumerable.Range(0, 100).Select(i => $"\"x{i}\":1"));

        using var response = await http.PostRawAsync("{\"scenario\":\"producer-consumer\",\"parameters\":{" + names + "}}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("发送了 100 个参数", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
