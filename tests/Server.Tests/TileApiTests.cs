using System.Net;
using System.Net.Http.Json;
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
}
