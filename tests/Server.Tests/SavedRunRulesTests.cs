using System.Net;
using System.Text.Json;
using Playground.Server.Tests.Infrastructure;
using Playground.Shared.Catalog;
using Playground.Shared.Runs;

namespace Playground.Server.Tests;

/// <summary>A host whose saved runs may hold at most 300 events.</summary>
public sealed class SmallSavedRunHost : PlaygroundHost
{
    public const int MaxEvents = 300;

    protected override IReadOnlyDictionary<string, string> Settings { get; } = new Dictionary<string, string>
    {
        ["Storage:MaxEventsPerSavedRun"] = MaxEvents.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Limits:SavesPerAddress"] = "100",
    };
}

/// <summary>Who may save and delete, what cannot be saved and why, and the listing.</summary>
public sealed class SavedRunRulesTests(SmallSavedRunHost host) : IClassFixture<SmallSavedRunHost>
{
    /// <summary>A run of a few dozen events.</summary>
    private static readonly Dictionary<string, object> Tiny = new() { ["items"] = 2, ["timeScale"] = 0.01 };

    private async Task<string> FinishedRunAsync(HttpClient http, string scenario = ProducerConsumerSchema.Id, Dictionary<string, object>? parameters = null)
    {
        var id = await http.StartRunAsync(scenario, parameters ?? Tiny);
        await http.WaitForFinalAsync(id);
        return id;
    }

    [Fact(Timeout = 60_000)]
    public async Task Only_the_owner_saves_and_saving_again_answers_200_with_the_same_body()
    {
        var owner = host.CreateApiClient("owner");
        var other = host.CreateApiClient("other");
        var id = await FinishedRunAsync(owner);

        using (var refused = await other.PostSaveAsync(id))
        {
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
            Assert.Contains($"Only the one who started run '{id}' may save it", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        Assert.False((await owner.GetRunAsync(id)).Saved);

        var created = await owner.SaveAsync(id, HttpStatusCode.Created);
        var again = await owner.SaveAsync(id, HttpStatusCode.OK);

        Assert.Equal(id, created.Id);
        Assert.Equal($"/runs/{id}", created.Permalink);
        Assert.Equal(ProducerConsumerSchema.Id, created.Scenario);
        Assert.True(created.Held);
        Assert.Equal(created with { Parameters = again.Parameters }, again);
        var run = await owner.GetRunAsync(id);
        Assert.True(run.Saved);
        Assert.Equal(created.SavedAt, run.SavedAt);
        Assert.Equal(run.Summary!.EventCount, created.EventCount);
        // Someone else still cannot save it, saved or not.
        using var stillRefused = await other.PostSaveAsync(id);
        Assert.Equal(HttpStatusCode.Forbidden, stillRefused.StatusCode);
    }

    [Fact(Timeout = 60_000)]
    public async Task Only_the_owner_deletes_a_saved_run()
    {
        var owner = host.CreateApiClient("owner");
        var other = host.CreateApiClient("other");
        var id = await FinishedRunAsync(owner);
        await owner.SaveAsync(id);

        using (var refused = await other.DeleteSavedAsync(id))
        {
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
            Assert.Contains($"Only the one who started run '{id}' may delete it", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        using (var stillThere = await other.GetSavedAsync(id))
        {
            Assert.Equal(HttpStatusCode.OK, stillThere.StatusCode);
        }

        using (var deleted = await owner.DeleteSavedAsync(id))
        {
            Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        }

        using (var gone = await owner.GetSavedAsync(id))
        {
            Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        }

        using (var again = await owner.DeleteSavedAsync(id))
        {
            Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
        }

        // The run is still in the server's memory, no longer saved.
        Assert.False((await owner.GetRunAsync(id)).Saved);
    }

    [Fact(Timeout = 60_000)]
    public async Task A_run_that_has_not_ended_cannot_be_saved_409_in_the_readers_language()
    {
        var owner = host.CreateApiClient("owner");
        var id = await owner.StartRunAsync(RunApi.Long);
        try
        {
            using var refused = await owner.PostSaveAsync(id);
            var body = await refused.Content.ReadAsStringAsync();
            Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
            Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
            Assert.Matches($"Run '{id}' is (queued|running); a run can be saved once it has ended", body);

            using var chinese = new HttpRequestMessage(HttpMethod.Post, new Uri($"api/runs/{id}/save", UriKind.Relative));
            chinese.Headers.AcceptLanguage.ParseAdd("zh-CN");
            using var refusedInChinese = await owner.SendAsync(chinese);
            Assert.Equal(HttpStatusCode.Conflict, refusedInChinese.StatusCode);
            Assert.Contains("运行结束后才能保存", await refusedInChinese.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            using var notSaved = await owner.GetSavedAsync(id);
            Assert.Equal(HttpStatusCode.NotFound, notSaved.StatusCode);
        }
        finally
        {
            using var cancel = await owner.DeleteAsync(new Uri($"api/runs/{id}", UriKind.Relative));
            await owner.WaitForFinalAsync(id);
        }
    }

    [Fact(Timeout = 60_000)]
    public async Task A_run_over_the_event_cap_is_refused_422_saying_why()
    {
        var owner = host.CreateApiClient("owner");
        var id = await FinishedRunAsync(owner, parameters: new() { ["items"] = 100, ["timeScale"] = 0.001 });
        var events = (await owner.GetRunAsync(id)).Summary!.EventCount;
        Assert.True(events > SmallSavedRunHost.MaxEvents, $"the run has only {events} events");

        using var refused = await owner.PostSaveAsync(id);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
        Assert.Contains($"Run '{id}' recorded {events.ToString("N0", System.Globalization.CultureInfo.InvariantCulture)} events; a saved run may hold at most 300.",
            await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        using var notSaved = await owner.GetSavedAsync(id);
        Assert.Equal(HttpStatusCode.NotFound, notSaved.StatusCode);
    }

    public static TheoryData<string, string> UnknownIds => new()
    {
        // Well-formed, but no run has it.
        { "GET", "api/runs/abcdefghij" },
        { "GET", "api/runs/abcdefghij/events" },
        { "GET", "api/runs/abcdefghij/tiles" },
        { "POST", "api/runs/abcdefghij/save" },
        { "GET", "api/saved-runs/abcdefghij" },
        { "DELETE", "api/saved-runs/abcdefghij" },
        // Malformed: never looked up.
        { "GET", "api/runs/ABCDEFGHIJ" },
        { "GET", "api/runs/x/events" },
        { "GET", "api/runs/%27%3B%20DROP%20TABLE%20saved_runs%3B--/tiles" },
        { "POST", "api/runs/..%2F..%2Fetc/save" },
        { "POST", "api/runs/" + new string('a', 500) + "/save" },
        { "GET", "api/saved-runs/abcdefghijk" },
        { "DELETE", "api/saved-runs/abc%20defgh" },
    };

    [Theory(Timeout = 30_000)]
    [MemberData(nameof(UnknownIds))]
    public async Task An_unknown_or_malformed_id_is_a_404_problem(string method, string path)
    {
        var http = host.CreateApiClient(nameof(An_unknown_or_malformed_id_is_a_404_problem));

        using var response = await http.SendAsync(new HttpRequestMessage(new HttpMethod(method), new Uri(path, UriKind.Relative)));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(404, problem.RootElement.GetProperty("status").GetInt32());
        Assert.StartsWith("Unknown ", problem.RootElement.GetProperty("title").GetString(), StringComparison.Ordinal);
        Assert.StartsWith("There is no ", problem.RootElement.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact(Timeout = 90_000)]
    public async Task The_list_holds_the_callers_own_saved_runs_newest_first_by_page_and_scenario()
    {
        var owner = host.CreateApiClient("lister");
        var first = await FinishedRunAsync(owner);
        var second = await FinishedRunAsync(owner, EventSchema.Id, new() { ["workers"] = 2, ["rounds"] = 1, ["timeScale"] = 0.01 });
        var third = await FinishedRunAsync(owner);
        foreach (var id in new[] { first, second, third })
        {
            await owner.SaveAsync(id);
        }

        var all = await owner.ListSavedAsync();
        var producerConsumer = await owner.ListSavedAsync("?scenario=producer-consumer");
        var middle = await owner.ListSavedAsync("?page=2&size=1");
        var past = await owner.ListSavedAsync("?page=3&size=2");
        var someoneElse = await host.CreateApiClient("someone else").ListSavedAsync();

        Assert.Equal([third, second, first], all.Items.Select(i => i.Id));
        Assert.Equal(3, all.Total);
        Assert.Equal((1, 20), (all.Page, all.Size));
        Assert.Equal([third, first], producerConsumer.Items.Select(i => i.Id));
        Assert.Equal(2, producerConsumer.Total);
        Assert.Equal([second], middle.Items.Select(i => i.Id));
        Assert.Equal(3, middle.Total);
        Assert.Empty(past.Items);
        Assert.Empty(someoneElse.Items);
        Assert.Equal(0, someoneElse.Total);
        var entry = all.Items[1];
        Assert.Equal((EventSchema.Id, $"/runs/{second}", RunState.Completed), (entry.Scenario, entry.Permalink, entry.State));
        Assert.NotNull(entry.Held);
        Assert.True(entry.WallMs > 0);
        Assert.Equal(2L, ((JsonElement)entry.Parameters["workers"]).GetInt64());
    }

    [Theory(Timeout = 30_000)]
    [InlineData("size=0", "size must be a whole number from 1 to 100")]
    [InlineData("size=101", "size must be a whole number from 1 to 100")]
    [InlineData("size=ten", "size must be a whole number")]
    [InlineData("page=0", "page must be a whole number from 1 to 100,000")]
    [InlineData("page=-1", "page must be a whole number")]
    [InlineData("scenario=nope", "scenario must be one of producer-consumer")]
    public async Task A_bad_listing_query_is_a_400_naming_it(string query, string message)
    {
        var http = host.CreateApiClient(nameof(A_bad_listing_query_is_a_400_naming_it));

        using var response = await http.GetAsync(new Uri("api/saved-runs?" + query, UriKind.Relative));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(message, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact(Timeout = 30_000)]
    public async Task A_saved_run_is_still_no_run_to_cancel()
    {
        var owner = host.CreateApiClient("canceller");
        var id = await FinishedRunAsync(owner);
        await owner.SaveAsync(id);

        using var response = await owner.DeleteAsync(new Uri($"api/runs/{id}", UriKind.Relative));

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        using var saved = await owner.GetSavedAsync(id);
        Assert.Equal(HttpStatusCode.OK, saved.StatusCode);
    }
}

/// <summary>A host that keeps two saved runs and allows three saves a minute per address.</summary>
public sealed class TwoSavedRunsHost : PlaygroundHost
{
    protected override IReadOnlyDictionary<string, string> Settings { get; } = new Dictionary<string, string>
    {
        ["Storage:MaxSavedRuns"] = "2",
        ["Limits:SavesPerAddress"] = "3",
    };
}

/// <summary>Retention on save, and the save rate per address.</summary>
public sealed class SavedRunRetentionTests(TwoSavedRunsHost host) : IClassFixture<TwoSavedRunsHost>
{
    [Fact(Timeout = 60_000)]
    public async Task Saving_past_the_count_removes_the_oldest_saved_and_the_next_save_waits_its_turn()
    {
        var owner = host.CreateApiClient("owner");
        var ids = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            var id = await owner.StartRunAsync(new Dictionary<string, object> { ["items"] = 1, ["timeScale"] = 0.01 });
            await owner.WaitForFinalAsync(id);
            await owner.SaveAsync(id);
            ids.Add(id);
        }

        var list = await owner.ListSavedAsync();

        Assert.Equal([ids[2], ids[1]], list.Items.Select(i => i.Id));
        using (var oldest = await owner.GetSavedAsync(ids[0]))
        {
            Assert.Equal(HttpStatusCode.NotFound, oldest.StatusCode);
        }

        // Three saves a minute from one address: the fourth is refused, with when to try again.
        using var limited = await owner.PostSaveAsync(ids[0]);
        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(60), limited.Headers.RetryAfter?.Delta);
        Assert.Contains("Too many saves from your address: at most 3 every 60 s.", await limited.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
