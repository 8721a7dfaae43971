using Microsoft.Data.Sqlite;
using Playground.Scenarios.Recording;
using Playground.Server.Storage;
using Playground.Server.Tests.Infrastructure;
using Playground.Shared.Events;
using Playground.Shared.Runs;
using Playground.Shared.Text;

namespace Playground.Server.Tests;

/// <summary>A clock the test moves by hand.</summary>
public sealed class ManualClock(DateTimeOffset now) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = now;

    public override DateTimeOffset GetUtcNow() => Now;
}

/// <summary>The SQLite archive on a temporary file: schema, saving, listing, retention, and many callers at once.</summary>
public sealed class SqliteRunArchiveTests : IDisposable
{
    private static readonly DateTimeOffset T0 = new(2030, 1, 1, 12, 0, 0, TimeSpan.Zero);

    private readonly string _path = TempDatabase.NewPath();
    private readonly ManualClock _clock = new(T0);
    private readonly List<SqliteRunArchive> _archives = [];

    private SqliteRunArchive Archive(int maxRuns = 100, double maxAgeDays = 0)
    {
        var archive = new SqliteRunArchive(_path, new StorageOptions { MaxSavedRuns = maxRuns, MaxAgeDays = maxAgeDays }, _clock);
        archive.Migrate();
        _archives.Add(archive);
        return archive;
    }

    /// <summary>A finished run with a small log, saved at <paramref name="savedAt"/>.</summary>
    private static ArchivedRun Run(string id, DateTimeOffset savedAt, string scenario = "producer-consumer", string owner = "owner-1", bool held = true)
    {
        var recorder = new EventRecorder(2, 100_000);
        recorder[0].RecordAt(recorder.StartTimestamp + 5, EventKind.Start, null, 0, -1);
        recorder[0].RecordAt(recorder.StartTimestamp + 900, EventKind.Put, "queue", 7, 1);
        recorder[1].RecordAt(recorder.StartTimestamp + 950, EventKind.Get, "queue", 7, 0);
        var summary = new RunSummary(1.5, 2, Msg.Of("unit.itemsPerSecond"), 3, 0, [], [new RunMetric("produced", Msg.Of("pc.metric.produced"), 1)],
            new Verdict(held, Msg.Of("pc.invariant"), [Msg.Of("pc.evidence.allConsumed", ("count", 1))], [7L]), [], []);
        var info = new RunInfo(id, scenario, new Dictionary<string, object> { ["items"] = 1L, ["timeScale"] = 0.01, ["mode"] = "threads" },
            RunState.Completed, null, null, savedAt.AddSeconds(-3), savedAt.AddSeconds(-2), savedAt.AddSeconds(-1),
            [new ActorInfo(0, "producer-1", "producer", 0, 11), new ActorInfo(1, "consumer-1", "consumer", 0, 12)], summary, savedAt);
        return new ArchivedRun(info, owner, "127.0.0.1", false, RunLogBlocks.Pack(recorder, recorder.StartTimestamp + 1000));
    }

    [Fact]
    public void The_file_gets_the_schema_with_its_version_in_WAL_mode_and_opening_it_again_changes_nothing()
    {
        var archive = Archive();
        Assert.True(archive.Save(Run("aaaaaaaaaa", T0)));

        var again = Archive();

        Assert.Equal(SqliteRunArchive.SchemaVersion, again.StoredSchemaVersion());
        Assert.NotNull(again.Load("aaaaaaaaaa"));
        using var connection = new SqliteConnection($"Data Source={_path};Pooling=False");
        connection.Open();
        using var mode = connection.CreateCommand();
        mode.CommandText = "PRAGMA journal_mode";
        Assert.Equal("wal", mode.ExecuteScalar());
        using var versions = connection.CreateCommand();
        versions.CommandText = "SELECT count(*) FROM schema_version";
        Assert.Equal(1L, versions.ExecuteScalar());
    }

    [Fact]
    public void A_file_of_a_newer_schema_is_refused_naming_its_version()
    {
        Archive();
        using (var connection = new SqliteConnection($"Data Source={_path};Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "UPDATE schema_version SET version = 99";
            command.ExecuteNonQuery();
        }

        var error = Assert.Throws<InvalidOperationException>(() => Archive());

        Assert.Contains("schema version 99, newer than this server's 1", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_saved_run_loads_back_as_saved_and_a_second_save_of_its_id_keeps_the_first()
    {
        var archive = Archive();
        var run = Run("bbbbbbbbbb", T0);

        Assert.True(archive.Save(run));
        Assert.False(archive.Save(Run("bbbbbbbbbb", T0.AddHours(1), held: false)));

        var loaded = archive.Load("bbbbbbbbbb")!;
        var entry = archive.Find("bbbbbbbbbb")!;
        Assert.Equal(StoredJson.Write(run.Info), StoredJson.Write(loaded.Info));
        Assert.Equal(run.Info.Summary!.Verdict.Evidence[0].Format(), loaded.Info.Summary!.Verdict.Evidence[0].Format());
        Assert.Equal((run.OwnerIdentity, run.OwnerAddress, run.UsesProcesses), (loaded.OwnerIdentity, loaded.OwnerAddress, loaded.UsesProcesses));
        Assert.Equal(run.Log!.ResourceNames, loaded.Log!.ResourceNames);
        Assert.Equal(run.Log.HorizonTicks, loaded.Log.HorizonTicks);
        Assert.Equal(run.Log.Blocks.Select(b => (b.Actor, b.Index, b.Count, b.FirstTicks, b.LastTicks, Convert.ToBase64String(b.Data))),
            loaded.Log.Blocks.Select(b => (b.Actor, b.Index, b.Count, b.FirstTicks, b.LastTicks, Convert.ToBase64String(b.Data))));
        Assert.Equal((true, T0, 3L), (entry.Held, entry.SavedAt, entry.EventCount));
        Assert.Equal(0.01, entry.Parameters["timeScale"]);
        Assert.Equal(1L, entry.Parameters["items"]);
        Assert.Null(archive.Load("cccccccccc"));
        Assert.Null(archive.Find("cccccccccc"));
    }

    [Fact]
    public void Retention_removes_the_oldest_saved_past_the_count_with_their_blocks()
    {
        var archive = Archive(maxRuns: 3);
        string[] ids = ["aaaaaaaaa1", "aaaaaaaaa2", "aaaaaaaaa3", "aaaaaaaaa4", "aaaaaaaaa5"];
        for (var i = 0; i < ids.Length; i++)
        {
            archive.Save(Run(ids[i], T0.AddMinutes(i)));
        }

        var removed = archive.Sweep();

        Assert.Equal(["aaaaaaaaa1", "aaaaaaaaa2"], removed.Order());
        Assert.Equal(["aaaaaaaaa5", "aaaaaaaaa4", "aaaaaaaaa3"], archive.List(null, null, 1, 10).Entries.Select(e => e.Id));
        Assert.Equal(3 * Run("x", T0).Log!.Blocks.Count, CountBlocks());
        Assert.Empty(archive.Sweep());
    }

    [Fact]
    public void Retention_removes_the_runs_saved_longer_ago_than_the_age_limit()
    {
        var archive = Archive(maxAgeDays: 1);
        archive.Save(Run("aaaaaaaaa1", T0));
        archive.Save(Run("aaaaaaaaa2", T0.AddHours(20)));

        _clock.Now = T0.AddHours(23);
        Assert.Empty(archive.Sweep());
        _clock.Now = T0.AddHours(25);
        Assert.Equal(["aaaaaaaaa1"], archive.Sweep());
        _clock.Now = T0.AddHours(45);
        Assert.Equal(["aaaaaaaaa2"], archive.Sweep());
        Assert.Equal(0, archive.List(null, null, 1, 10).Total);
        Assert.Equal(0, CountBlocks());
    }

    [Fact]
    public void The_list_filters_by_scenario_and_owner_and_pages_newest_first()
    {
        var archive = Archive();
        archive.Save(Run("aaaaaaaaa1", T0, owner: "a"));
        archive.Save(Run("aaaaaaaaa2", T0.AddSeconds(1), scenario: "event", owner: "a", held: false));
        archive.Save(Run("aaaaaaaaa3", T0.AddSeconds(2), owner: "b"));
        archive.Save(Run("aaaaaaaaa4", T0.AddSeconds(3), owner: "a"));

        var mine = archive.List(null, "a", 1, 2);
        var minePage2 = archive.List(null, "a", 2, 2);
        var events = archive.List("event", null, 1, 10);
        var everyone = archive.List("producer-consumer", null, 1, 10);

        Assert.Equal(["aaaaaaaaa4", "aaaaaaaaa2"], mine.Entries.Select(e => e.Id));
        Assert.Equal(3, mine.Total);
        Assert.Equal(["aaaaaaaaa1"], minePage2.Entries.Select(e => e.Id));
        Assert.Equal(false, Assert.Single(events.Entries).Held);
        Assert.Equal(["aaaaaaaaa4", "aaaaaaaaa3", "aaaaaaaaa1"], everyone.Entries.Select(e => e.Id));
    }

    [Fact(Timeout = 60_000)]
    public async Task Saves_loads_lists_and_deletes_from_many_threads_at_once_all_take_effect()
    {
        var archive = Archive();
        // A second archive on the same file, as a second server would have.
        var other = Archive();
        var ids = Enumerable.Range(0, 40).Select(i => $"run-{i}").ToList();

        await Task.WhenAll(ids.Select((id, i) => Task.Run(() =>
        {
            var mine = i % 2 == 0 ? archive : other;
            Assert.True(mine.Save(Run(id, T0.AddSeconds(i))));
            Assert.NotNull(mine.Load(ids[i / 2]) ?? mine.Load(id));
            _ = mine.List(null, null, 1, 5);
            if (i % 4 == 3)
            {
                Assert.True(mine.Delete(id));
            }
        })));

        Assert.Equal(30, archive.List(null, null, 1, 100).Total);
        Assert.Equal(30 * Run("x", T0).Log!.Blocks.Count, CountBlocks());
    }

    private long CountBlocks()
    {
        using var connection = new SqliteConnection($"Data Source={_path};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM event_blocks";
        return (long)command.ExecuteScalar()!;
    }

    public void Dispose()
    {
        foreach (var archive in _archives)
        {
            archive.Dispose();
        }

        TempDatabase.Delete(_path);
    }
}
