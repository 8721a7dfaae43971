using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Playground.Server.Tests.Infrastructure;
using Playground.Shared.Runs;

namespace Playground.Server.Tests;

/// <summary>GET /api/runs/{id}/tiles: a real run's log at any resolution, agreeing with its summary; bad windows refused by name.</summary>
public sealed class TileApiTests(PlaygroundHost host) : IClassFixture<PlaygroundHost>
{
    [Fact(Timeout = 60_000)]
    public async Task The_whole_run_in_one_bucket_has_each_lanes_time_per_state_of_the_summary_and_every_put_and_get()
    {
        var http = host.CreateApiClient(nameof(The_whole_run_in_one_bucket_has_each_lanes_time_per_state_of_the_summary_and_every_put_and_get));
        var id = await http.StartRunAsync(new Dictionary<string, object> { ["producers"] = 2, ["consumers"] = 3, ["items"] = 30, ["timeScale"] = 0.01 });
        var run = await http.WaitForFinalAsync(id);
        Assert.Equal(RunState.Completed, run.State);

        var whole = await http.GetFromJsonAsync<TileWindow>(new Uri($"api/runs/{id}/tiles?buckets=1", UriKind.Relative), PlaygroundHost.Json);

        Assert.NotNull(whole);
        Assert.Equal(0, whole.From);
        // By default the whole run, to the very end its summary closed its lanes at.
        Assert.Equal(whole.Horizon, whole.To);
        Assert.InRange(whole.To - (run.Summary!.WallMs * 1e6), -1e5, 1e5);
        Assert.Equal(run.Actors.Count, whole.Lanes.Count);
        foreach (var actor in run.Summary.Actors)
        {
            var bucket = Assert.Single(whole.Lanes[actor.Actor].Buckets);
            // The summary rounds its times to a tenth of a ms.
            Assert.InRange(Math.Abs(actor.BusyMs - (bucket.Running / 1e6)), 0, 0.051);
            Assert.InRange(Math.Abs(actor.BlockedMs - (bucket.Blocked / 1e6)), 0, 0.051);
            Assert.InRange(Math.Abs(actor.SleepMs - (bucket.Sleeping / 1e6)), 0, 0.051);
        }

        var puts = whole.Lanes.Sum(l => l.Buckets[0].Instants.GetValueOrDefault("put"));
        var gets = whole.Lanes.Sum(l => l.Buckets[0].Instants.GetValueOrDefault("get"));
        Assert.Equal(60 + 3, puts);  // every item, and a sentinel per consumer
        Assert.Equal(60 + 3, gets);
        var depth = Assert.Single(whole.Gauges);
        Assert.Equal("depth", depth.Name);
        Assert.Equal(run.Summary.Gauges[0].Max, depth.Buckets[0].Max);
        Assert.Equal(0, depth.Buckets[0].Last);

        // Finer: the same totals in 500 buckets, and the raw events of a small enough window.
        var fine = await http.GetFromJsonAsync<TileWindow>(new Uri($"api/runs/{id}/tiles?buckets=500", UriKind.Relative), PlaygroundHost.Json);
        Assert.Equal(500, fine!.Lanes[0].Buckets.Count);
        for (var a = 0; a < run.Actors.Count; a++)
        {
            Assert.Equal(whole.Lanes[a].Buckets[0].Running, fine.Lanes[a].Buckets.Sum(b => b.Running));
            Assert.Equal(whole.Lanes[a].Buckets[0].Blocked, fine.Lanes[a].Buckets.Sum(b => b.Blocked));
        }

        // A small run's whole log fits the event limit: every recorded event, in time order.
        Assert.NotNull(fine.Events);
        Assert.Equal(run.Summary.EventCount, fine.Events.Count);
        Assert.Equal(run.Summary.EventCount, fine.Recorded);
        Assert.Equal(fine.Events.Select(e => e.T).Order(), fine.Events.Select(e => e.T));
    }

    [Fact(Timeout = 60_000)]
    public async Task A_bad_window_is_refused_naming_the_field()
    {
        var http = host.CreateApiClient(nameof(A_bad_window_is_refused_naming_the_field));
        // One run for every case: starts are limited per address.
        var id = await http.StartRunAsync(RunApi.Fast);
        (string Query, string Message)[] cases =
        [
            ("from=-5", "from must be a whole number"),
            ("from=abc", "from must be a whole number"),
            ("from=100&to=100", "to must be a whole number of ns since the run's start, after from (100)"),
            ("to=99999999999999999999999", "to must be"),
            ("buckets=0", "buckets must be a whole number from 1 to 8,000"),
            ("buckets=8001", "buckets must be a whole number from 1 to 8,000"),
            ("buckets=1e3", "buckets must be"),
        ];

        foreach (var (query, message) in cases)
        {
            using var response = await http.GetAsync(new Uri($"api/runs/{id}/tiles?{query}", UriKind.Relative));

            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{query}: {response.StatusCode}");
            Assert.Contains(message, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
    }

    [Fact(Timeout = 60_000)]
    public async Task An_unknown_run_has_no_tiles()
    {
        var http = host.CreateApiClient(nameof(An_unknown_run_has_no_tiles));

        using var response = await http.GetAsync(new Uri("api/runs/nosuchrun/tiles", UriKind.Relative));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact(Timeout = 60_000)]
    public async Task Asked_for_MessagePack_the_window_is_the_same_in_fewer_bytes()
    {
        var http = host.CreateApiClient(nameof(Asked_for_MessagePack_the_window_is_the_same_in_fewer_bytes));
        var id = await http.StartRunAsync(new Dictionary<string, object> { ["producers"] = 2, ["consumers"] = 2, ["items"] = 40, ["timeScale"] = 0.01 });
        await http.WaitForFinalAsync(id);
        foreach (var query in new[] { "buckets=300", "buckets=40&from=0&to=1000" })
        {
            var uri = new Uri($"api/runs/{id}/tiles?{query}", UriKind.Relative);
            using var asJson = await http.GetAsync(uri);
            var json = await asJson.Content.ReadAsStringAsync();
            using var request = new HttpRequestMessage(HttpMethod.Get, uri);
            request.Headers.Accept.ParseAdd("application/x-msgpack, application/json;q=0.5");
            using var asMessagePack = await http.SendAsync(request);
            var bytes = await asMessagePack.Content.ReadAsByteArrayAsync();

            Assert.Equal(HttpStatusCode.OK, asMessagePack.StatusCode);
            Assert.Equal("application/x-msgpack", asMessagePack.Content.Headers.ContentType?.MediaType);
            Assert.Equal("application/json", asJson.Content.Headers.ContentType?.MediaType);
            Assert.Contains("Accept", asMessagePack.Headers.Vary);
            var fromJson = Canonical(JsonNode.Parse(json));
            var fromMessagePack = Canonical(JsonNode.Parse(MessagePack.MessagePackSerializer.ConvertToJson(bytes)));
            Assert.True(JsonNode.DeepEquals(fromJson, fromMessagePack), $"{query}: JSON {fromJson} but MessagePack {fromMessagePack}");
            Assert.True(bytes.Length < Encoding.UTF8.GetByteCount(json), $"{query}: {bytes.Length} B in MessagePack, {json.Length} in JSON");
        }

        // Compressed for a client that accepts it.
        using var compressed = new HttpRequestMessage(HttpMethod.Get, new Uri($"api/runs/{id}/tiles?buckets=300", UriKind.Relative));
        compressed.Headers.AcceptEncoding.ParseAdd("br");
        using var brotli = await http.SendAsync(compressed);
        Assert.Equal("br", Assert.Single(brotli.Content.Headers.ContentEncoding));
        await using var unpacked = new System.IO.Compression.BrotliStream(await brotli.Content.ReadAsStreamAsync(), System.IO.Compression.CompressionMode.Decompress);
        var tiles = await JsonSerializer.DeserializeAsync<TileWindow>(unpacked, PlaygroundHost.Json);
        Assert.Equal(300, tiles!.Buckets);

        // Refusals stay readable whatever was asked for.
        using var bad = new HttpRequestMessage(HttpMethod.Get, new Uri($"api/runs/{id}/tiles?buckets=0", UriKind.Relative));
        bad.Headers.Accept.ParseAdd("application/x-msgpack");
        using var refused = await http.SendAsync(bad);
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains("buckets must be", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    /// <summary>A JSON tree with every key's first letter lower-cased and null members left out: how the page reads either answer.</summary>
    private static JsonNode? Canonical(JsonNode? node) => node switch
    {
        JsonObject o => new JsonObject(o.Where(p => p.Value is not null)
            .Select(p => KeyValuePair.Create(char.ToLowerInvariant(p.Key[0]) + p.Key[1..], Canonical(p.Value)))),
        JsonArray a => new JsonArray([.. a.Select(Canonical)]),
        null => null,
        _ => JsonNode.Parse(node.ToJsonString()),
    };
}
