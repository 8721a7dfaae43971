using System.Net;
using Playground.Server.Tests.Infrastructure;
using Playground.Shared.Catalog;
using Playground.Shared.Events;
using Playground.Shared.Runs;

namespace Playground.Server.Tests;

/// <summary>A host whose saved runs go to a database file that outlives it, for a second host to open.</summary>
public sealed class SharedDatabaseHost(string database, IReadOnlyDictionary<string, string>? more = null) : PlaygroundHost
{
    protected override IReadOnlyDictionary<string, string> Settings { get; } =
        new Dictionary<string, string>(more ?? new Dictionary<string, string>())
        {
            ["Storage:Path"] = database,
            ["Limits:SavesPerAddress"] = "100",
        };
}

/// <summary>
/// One finished run of every scenario (threads mode, and one in processes mode), read whole and
/// saved on a first server, which is then stopped; a second server opens the same database file.
/// </summary>
public sealed class RestartedServer : IAsyncLifetime
{
    /// <summary>The runs, by case name: scenario and parameters. Quick, and each with a verdict.</summary>
    public static readonly IReadOnlyDictionary<string, (string Scenario, Dictionary<string, object> Parameters)> Cases =
        new Dictionary<string, (string, Dictionary<string, object>)>
        {
            ["producer-consumer"] = (ProducerConsumerSchema.Id, new() { ["producers"] = 2, ["consumers"] = 3, ["items"] = 30, ["timeScale"] = 0.01 }),
            ["pool"] = (PoolSchema.Id, new() { ["executor"] = "threadPool", ["poolSize"] = 2, ["tasks"] = 10, ["taskKind"] = "io", ["timeScale"] = 0.05 }),
            ["semaphore"] = (SemaphoreSchema.Id, new() { ["workers"] = 12, ["permits"] = 3, ["extraRelease"] = "on", ["timeScale"] = 0.01 }),
            ["event"] = (EventSchema.Id, new() { ["workers"] = 4, ["rounds"] = 2, ["timeScale"] = 0.01 }),
            ["ticket-booking"] = (TicketBookingSchema.Id, new() { ["buyers"] = 6, ["timeScale"] = 0.02 }),
            ["producer-consumer in processes"] = (ProducerConsumerSchema.Id, new() { ["consumers"] = 2, ["items"] = 20, ["mode"] = "processes", ["timeScale"] = 0.01 }),
        };

    /// <summary>Windows of the tiles compared before and after: the whole run at two resolutions, and a slice of its middle.</summary>
    public static string[] TileQueries(long horizon) =>
        ["buckets=1", "buckets=700", $"from={horizon / 3}&to={(horizon / 3) + Math.Max(1, horizon / 50)}&buckets=40"];

    public string Database { get; } = TempDatabase.NewPath();

    /// <summary>What the first server answered, by case.</summary>
    public Dictionary<string, Before> Runs { get; } = [];

    public PlaygroundHost After { get; private set; } = null!;

    public sealed record Before(string Id, string Info, IReadOnlyList<RunEventDto> Events, IReadOnlyList<string> Tiles, SavedRunInfo Saved);

    public async Task InitializeAsync()
    {
        var first = new SharedDatabaseHost(Database);
        await ((IAsyncLifetime)first).InitializeAsync();
        try
        {
            // Each case from a client of its own: one identity may run two at a time.
            var read = await Task.WhenAll(Cases.Select(async c =>
            {
                var http = first.CreateApiClient(c.Key);
                var id = await http.StartRunAsync(c.Value.Scenario, c.Value.Parameters);
                var run = await http.WaitForFinalAsync(id, TimeSpan.FromSeconds(60));
                Assert.True(run.State == RunState.Completed, $"{c.Key}: {run.State} {run.Reason?.Text}");
                var saved = await http.SaveAsync(id);
                // Read after the save, which is all it changes: the run now says it is saved.
                var info = await http.GetTextAsync($"api/runs/{id}");
                var events = await ReadAllEventsAsync(http, id);
                var horizon = (await http.GetRunAsync(id)).Summary!.WallMs;
                var tiles = new List<string>();
                foreach (var query in TileQueries((long)(horizon * 1e6)))
                {
                    tiles.Add(await http.GetTextAsync($"api/runs/{id}/tiles?{query}"));
                }

                return (c.Key, new Before(id, info, events, tiles, saved));
            }));
            foreach (var (name, before) in read)
            {
                Runs[name] = before;
            }
        }
        finally
        {
            await ((IAsyncLifetime)first).DisposeAsync();
        }

        After = new SharedDatabaseHost(Database);
        await ((IAsyncLifetime)After).InitializeAsync();
    }

    /// <summary>Every page of the log, in small pages so a log takes several.</summary>
    public static async Task<List<RunEventDto>> ReadAllEventsAsync(HttpClient http, string id)
    {
        var events = new List<RunEventDto>();
        string? cursor = null;
        for (var pages = 0; pages < 10_000; pages++)
        {
            var page = await http.GetEventPageAsync(id, cursor, limit: 97);
            events.AddRange(page.Events);
            if ((cursor = page.Next) is null)
            {
                return events;
            }
        }

        Assert.Fail($"the log of {id} did not end");
        return events;
    }

    public async Task DisposeAsync()
    {
        if (After is not null)
        {
            await ((IAsyncLifetime)After).DisposeAsync();
        }

        TempDatabase.Delete(Database);
    }
}

/// <summary>A saved run, after the server restarts, reads through the run API exactly as it did live.</summary>
public sealed class SavedRunRestartTests(RestartedServer server) : IClassFixture<RestartedServer>
{
    public static TheoryData<string> Cases => [.. RestartedServer.Cases.Keys];

    [Theory(Timeout = 60_000)]
    [MemberData(nameof(Cases))]
    public async Task After_a_restart_the_run_its_events_and_its_tiles_read_exactly_as_before(string name)
    {
        var before = server.Runs[name];
        // Another identity: anyone with the id may read a saved run.
        var http = server.After.CreateApiClient(name);

        var info = await http.GetTextAsync($"api/runs/{before.Id}");
        var events = await RestartedServer.ReadAllEventsAsync(http, before.Id);

        Assert.Equal(before.Info, info);
        Assert.NotEmpty(events);
        Assert.Equal(before.Events.Count, events.Count);
        for (var i = 0; i < events.Count; i++)
        {
            // Each field of each event: t, actor, kind, resource, value and level.
            Assert.True(before.Events[i] == events[i], $"{name}: event {i} was {before.Events[i]}, reads {events[i]}");
        }

        var run = await http.GetRunAsync(before.Id);
        Assert.True(run.Saved);
        Assert.Equal(before.Saved.SavedAt, run.SavedAt);
        Assert.Equal(run.Summary!.EventCount, events.Count);
        var queries = RestartedServer.TileQueries((long)(run.Summary.WallMs * 1e6));
        for (var q = 0; q < queries.Length; q++)
        {
            Assert.Equal(before.Tiles[q], await http.GetTextAsync($"api/runs/{before.Id}/tiles?{queries[q]}"));
        }
    }

    [Fact(Timeout = 60_000)]
    public async Task The_processes_run_keeps_its_pids_and_the_list_has_every_saved_run_with_its_verdict()
    {
        var processes = server.Runs["producer-consumer in processes"];
        var http = server.After.CreateApiClient(nameof(The_processes_run_keeps_its_pids_and_the_list_has_every_saved_run_with_its_verdict));

        var run = await http.GetRunAsync(processes.Id);

        Assert.All(run.Actors, a => Assert.True(a.Pid > 0, $"{a.Name} has pid {a.Pid}"));
        Assert.Equal(run.Actors.Count, run.Actors.Select(a => a.Pid).Distinct().Count());
        foreach (var (name, before) in server.Runs)
        {
            // The saved entry reads the same after the restart, the verdict and wall time included.
            using var response = await http.GetSavedAsync(before.Id);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var entry = await System.Net.Http.Json.HttpContentJsonExtensions.ReadFromJsonAsync<SavedRunInfo>(response.Content, PlaygroundHost.Json);
            Assert.Equal(before.Saved with { Parameters = entry!.Parameters }, entry);
            Assert.Equal(before.Saved.Parameters.Keys, entry.Parameters.Keys);
            var live = await http.GetRunAsync(before.Id);
            Assert.Equal(live.Summary!.Verdict.Held, entry.Held);
            Assert.Equal(live.Summary.WallMs, entry.WallMs);
            Assert.Equal(live.Summary.EventCount, entry.EventCount);
            Assert.True(entry.Bytes > 0, name);
        }
    }

    [Fact(Timeout = 60_000)]
    public async Task Many_readers_of_a_saved_run_at_once_all_read_the_same_log()
    {
        var before = server.Runs["semaphore"];
        var clients = Enumerable.Range(0, 6).Select(i => server.After.CreateApiClient("reader-" + i)).ToList();

        var logs = await Task.WhenAll(clients.Select(c => c.GetEventsAsync(before.Id)));

        Assert.All(logs, log => Assert.Equal(before.Events, log));
    }
}
