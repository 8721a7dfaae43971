using System.Globalization;
using Microsoft.Data.Sqlite;
using Playground.Shared.Runs;

namespace Playground.Server.Storage;

/// <summary>
/// Saved runs in one SQLite file: a row per run (its description as JSON, with the columns a listing
/// sorts and filters on) and its event log as compressed blocks, a row per
/// <see cref="EventBlockCodec.EventsPerBlock"/> events of an actor — never a row per event. The file
/// is in WAL mode, so reads go on while a save writes; writes from this server take turns, and other
/// processes on the same file wait for the lock (up to the command timeout).
/// </summary>
public sealed class SqliteRunArchive : IRunArchive, IDisposable
{
    /// <summary>The schema this server reads and writes; <see cref="Migrate"/> brings an older file up to it.</summary>
    public const int SchemaVersion = 1;

    // Each step takes the schema from version i to i + 1; a file records the version it is at.
    private static readonly string[] Migrations =
    [
        """
        CREATE TABLE saved_runs (
            id TEXT NOT NULL PRIMARY KEY,
            scenario TEXT NOT NULL,
            owner_identity TEXT NOT NULL,
            owner_address TEXT NOT NULL,
            state TEXT NOT NULL,
            held INTEGER,
            wall_ms REAL,
            event_count INTEGER NOT NULL,
            log_bytes INTEGER NOT NULL,
            created_at INTEGER NOT NULL,
            started_at INTEGER,
            ended_at INTEGER,
            saved_at INTEGER NOT NULL,
            uses_processes INTEGER NOT NULL,
            parameters TEXT NOT NULL,
            info TEXT NOT NULL,
            has_log INTEGER NOT NULL,
            clock_frequency INTEGER NOT NULL,
            horizon_ticks INTEGER,
            actor_count INTEGER NOT NULL,
            resources TEXT NOT NULL
        );
        CREATE INDEX saved_runs_by_time ON saved_runs (saved_at);
        CREATE INDEX saved_runs_by_scenario ON saved_runs (scenario, saved_at);
        CREATE INDEX saved_runs_by_owner ON saved_runs (owner_identity, scenario, saved_at);
        CREATE TABLE event_blocks (
            run_id TEXT NOT NULL,
            actor INTEGER NOT NULL,
            block INTEGER NOT NULL,
            event_count INTEGER NOT NULL,
            first_ticks INTEGER NOT NULL,
            last_ticks INTEGER NOT NULL,
            data BLOB NOT NULL,
            PRIMARY KEY (run_id, actor, block)
        );
        """,
    ];

    private const string EntryColumns =
        "id, scenario, owner_identity, parameters, state, held, wall_ms, event_count, log_bytes, created_at, started_at, ended_at, saved_at";

    private readonly string _connectionString;
    private readonly StorageOptions _options;
    private readonly TimeProvider _time;
    // Saves, deletes and sweeps of this server take turns; readers never wait for them (WAL).
    private readonly object _writeGate = new();

    public SqliteRunArchive(string path, StorageOptions options, TimeProvider time)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        Path = path;
        _options = options;
        _time = time;
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
            DefaultTimeout = 30,
        }.ToString();
    }

    /// <summary>The database file.</summary>
    public string Path { get; }

    /// <summary>
    /// Creates the file and its folder if need be, turns on WAL and brings the schema to
    /// <see cref="SchemaVersion"/>. A file of a newer schema is refused, never rewritten.
    /// </summary>
    public void Migrate()
    {
        if (System.IO.Path.GetDirectoryName(Path) is { Length: > 0 } folder)
        {
            Directory.CreateDirectory(folder);
        }

        using var connection = Open();
        // Chosen before the first table exists (it is ignored afterwards): freed pages can be given back.
        Execute(connection, null, "PRAGMA auto_vacuum = INCREMENTAL");
        Execute(connection, null, "PRAGMA journal_mode = WAL");
        lock (_writeGate)
        {
            using var transaction = connection.BeginTransaction();
            Execute(connection, transaction, "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)");
            var version = Convert.ToInt32(Scalar(connection, transaction, "SELECT coalesce(max(version), 0) FROM schema_version"), CultureInfo.InvariantCulture);
            if (version > SchemaVersion)
            {
                throw new InvalidOperationException(
                    $"The saved-runs database {Path} has schema version {version}, newer than this server's {SchemaVersion}; set Storage:Path to another file or run a newer server.");
            }

            for (var v = version; v < SchemaVersion; v++)
            {
                Execute(connection, transaction, Migrations[v]);
            }

            if (version < SchemaVersion)
            {
                Execute(connection, transaction, "DELETE FROM schema_version");
                Execute(connection, transaction, "INSERT INTO schema_version (version) VALUES ($v)", ("$v", SchemaVersion));
            }

            transaction.Commit();
        }
    }

    /// <summary>The schema version the file is at.</summary>
    public int StoredSchemaVersion()
    {
        using var connection = Open();
        return Convert.ToInt32(Scalar(connection, null, "SELECT coalesce(max(version), 0) FROM schema_version"), CultureInfo.InvariantCulture);
    }

    public bool Save(ArchivedRun run)
    {
        ArgumentNullException.ThrowIfNull(run);
        var info = run.Info;
        var log = run.Log;
        lock (_writeGate)
        {
            using var connection = Open();
            using var transaction = connection.BeginTransaction();
            var inserted = Execute(connection, transaction,
                """
                INSERT OR IGNORE INTO saved_runs (id, scenario, owner_identity, owner_address, state, held, wall_ms, event_count,
                    log_bytes, created_at, started_at, ended_at, saved_at, uses_processes, parameters, info, has_log, clock_frequency,
                    horizon_ticks, actor_count, resources)
                VALUES ($id, $scenario, $owner, $address, $state, $held, $wallMs, $events, $bytes, $created, $started, $ended, $saved,
                    $processes, $parameters, $info, $hasLog, $frequency, $horizon, $actors, $resources)
                """,
                ("$id", info.Id),
                ("$scenario", info.Scenario),
                ("$owner", run.OwnerIdentity),
                ("$address", run.OwnerAddress),
                ("$state", StateName(info.State)),
                ("$held", info.Summary?.Verdict.Held),
                ("$wallMs", info.Summary?.WallMs),
                ("$events", log?.EventCount ?? 0),
                ("$bytes", log?.Bytes ?? 0),
                ("$created", info.CreatedAt.ToUnixTimeMilliseconds()),
                ("$started", info.StartedAt?.ToUnixTimeMilliseconds()),
                ("$ended", info.EndedAt?.ToUnixTimeMilliseconds()),
                ("$saved", run.SavedAt.ToUnixTimeMilliseconds()),
                ("$processes", run.UsesProcesses),
                ("$parameters", StoredJson.Write(info.Parameters)),
                ("$info", StoredJson.Write(info)),
                ("$hasLog", log is not null),
                ("$frequency", log?.ClockFrequency ?? System.Diagnostics.Stopwatch.Frequency),
                ("$horizon", log?.HorizonTicks),
                ("$actors", log?.ActorCount ?? info.Actors.Count),
                ("$resources", StoredJson.Write(log?.ResourceNames ?? [])));
            if (inserted == 0)
            {
                return false;
            }

            using var insert = connection.CreateCommand();
            insert.Transaction = transaction;
            insert.CommandText =
                """
                INSERT INTO event_blocks (run_id, actor, block, event_count, first_ticks, last_ticks, data)
                VALUES ($id, $actor, $block, $count, $first, $last, $data)
                """;
            insert.Parameters.AddWithValue("$id", info.Id);
            var actor = insert.Parameters.Add("$actor", SqliteType.Integer);
            var index = insert.Parameters.Add("$block", SqliteType.Integer);
            var count = insert.Parameters.Add("$count", SqliteType.Integer);
            var first = insert.Parameters.Add("$first", SqliteType.Integer);
            var last = insert.Parameters.Add("$last", SqliteType.Integer);
            var data = insert.Parameters.Add("$data", SqliteType.Blob);
            foreach (var block in log?.Blocks ?? [])
            {
                actor.Value = block.Actor;
                index.Value = block.Index;
                count.Value = block.Count;
                first.Value = block.FirstTicks;
                last.Value = block.LastTicks;
                data.Value = block.Data;
                insert.ExecuteNonQuery();
            }

            transaction.Commit();
            return true;
        }
    }

    public ArchivedRun? Load(string id)
    {
        using var connection = Open();
        // One snapshot for the run and its blocks: a delete in between cannot leave half a log.
        using var transaction = connection.BeginTransaction(deferred: true);
        using var command = Command(connection, transaction,
            """
            SELECT owner_identity, owner_address, uses_processes, info, has_log, clock_frequency, horizon_ticks, actor_count, resources
            FROM saved_runs WHERE id = $id
            """, ("$id", id));
        string identity, address, info, resources;
        bool processes, hasLog;
        long frequency;
        long? horizon;
        int actors;
        using (var row = command.ExecuteReader())
        {
            if (!row.Read())
            {
                return null;
            }

            identity = row.GetString(0);
            address = row.GetString(1);
            processes = row.GetBoolean(2);
            info = row.GetString(3);
            hasLog = row.GetBoolean(4);
            frequency = row.GetInt64(5);
            horizon = row.IsDBNull(6) ? null : row.GetInt64(6);
            actors = row.GetInt32(7);
            resources = row.GetString(8);
        }

        ArchivedLog? log = null;
        if (hasLog)
        {
            var blocks = new List<EventBlock>();
            using var read = Command(connection, transaction,
                "SELECT actor, block, event_count, first_ticks, last_ticks, data FROM event_blocks WHERE run_id = $id ORDER BY actor, block",
                ("$id", id));
            using var row = read.ExecuteReader();
            while (row.Read())
            {
                blocks.Add(new EventBlock(row.GetInt32(0), row.GetInt32(1), row.GetInt32(2), row.GetInt64(3), row.GetInt64(4), (byte[])row.GetValue(5)));
            }

            log = new ArchivedLog(frequency, horizon, actors, StoredJson.Read<List<string>>(resources), blocks);
        }

        transaction.Commit();
        return new ArchivedRun(StoredJson.Read<RunInfo>(info), identity, address, processes, log);
    }

    public ArchiveEntry? Find(string id)
    {
        using var connection = Open();
        using var command = Command(connection, null, $"SELECT {EntryColumns} FROM saved_runs WHERE id = $id", ("$id", id));
        using var row = command.ExecuteReader();
        return row.Read() ? EntryOf(row) : null;
    }

    public ArchivePage List(string? scenario, string? ownerIdentity, int page, int size)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(page, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 1);
        var where = new List<string>();
        var arguments = new List<(string, object?)>();
        if (scenario is not null)
        {
            where.Add("scenario = $scenario");
            arguments.Add(("$scenario", scenario));
        }

        if (ownerIdentity is not null)
        {
            where.Add("owner_identity = $owner");
            arguments.Add(("$owner", ownerIdentity));
        }

        var filter = where.Count == 0 ? "" : " WHERE " + string.Join(" AND ", where);
        using var connection = Open();
        using var transaction = connection.BeginTransaction(deferred: true);
        var total = Convert.ToInt64(Scalar(connection, transaction, "SELECT count(*) FROM saved_runs" + filter, [.. arguments]), CultureInfo.InvariantCulture);
        arguments.Add(("$size", size));
        arguments.Add(("$skip", (long)(page - 1) * size));
        using var command = Command(connection, transaction,
            $"SELECT {EntryColumns} FROM saved_runs{filter} ORDER BY saved_at DESC, rowid DESC LIMIT $size OFFSET $skip", [.. arguments]);
        var entries = new List<ArchiveEntry>();
        using (var row = command.ExecuteReader())
        {
            while (row.Read())
            {
                entries.Add(EntryOf(row));
            }
        }

        transaction.Commit();
        return new ArchivePage(entries, total);
    }

    public bool Delete(string id)
    {
        lock (_writeGate)
        {
            using var connection = Open();
            using var transaction = connection.BeginTransaction();
            var removed = Remove(connection, transaction, id);
            transaction.Commit();
            return removed;
        }
    }

    public IReadOnlyList<string> Sweep()
    {
        var now = _time.GetUtcNow();
        // No age limit: a cut-off before any save.
        var cutoff = _options.MaxAgeDays > 0 ? (now - TimeSpan.FromDays(_options.MaxAgeDays)).ToUnixTimeMilliseconds() : long.MinValue;
        var removed = new List<string>();
        lock (_writeGate)
        {
            using var connection = Open();
            using (var transaction = connection.BeginTransaction())
            {
                using (var command = Command(connection, transaction,
                    """
                    SELECT id FROM saved_runs
                    WHERE saved_at < $cutoff
                       OR id NOT IN (SELECT id FROM saved_runs ORDER BY saved_at DESC, rowid DESC LIMIT $keep)
                    """, ("$cutoff", cutoff), ("$keep", _options.MaxSavedRuns)))
                using (var row = command.ExecuteReader())
                {
                    while (row.Read())
                    {
                        removed.Add(row.GetString(0));
                    }
                }

                foreach (var id in removed)
                {
                    Remove(connection, transaction, id);
                }

                transaction.Commit();
            }

            if (removed.Count > 0)
            {
                // Give the freed pages back to the file system rather than keep a file as large as it ever was.
                Execute(connection, null, "PRAGMA incremental_vacuum");
            }
        }

        return removed;
    }

    /// <summary>Closes the pooled connections to the file, so it can be moved or deleted.</summary>
    public void Dispose()
    {
        using var connection = new SqliteConnection(_connectionString);
        SqliteConnection.ClearPool(connection);
    }

    private static bool Remove(SqliteConnection connection, SqliteTransaction transaction, string id)
    {
        Execute(connection, transaction, "DELETE FROM event_blocks WHERE run_id = $id", ("$id", id));
        return Execute(connection, transaction, "DELETE FROM saved_runs WHERE id = $id", ("$id", id)) > 0;
    }

    private static ArchiveEntry EntryOf(SqliteDataReader row) => new(
        row.GetString(0),
        row.GetString(1),
        row.GetString(2),
        StoredJson.ReadValues(row.GetString(3)),
        ParseState(row.GetString(4)),
        row.IsDBNull(5) ? null : row.GetBoolean(5),
        row.IsDBNull(6) ? null : row.GetDouble(6),
        row.GetInt64(7),
        row.GetInt64(8),
        DateTimeOffset.FromUnixTimeMilliseconds(row.GetInt64(9)),
        row.IsDBNull(10) ? null : DateTimeOffset.FromUnixTimeMilliseconds(row.GetInt64(10)),
        row.IsDBNull(11) ? null : DateTimeOffset.FromUnixTimeMilliseconds(row.GetInt64(11)),
        DateTimeOffset.FromUnixTimeMilliseconds(row.GetInt64(12)));

    private static string StateName(RunState state) => state.ToString().ToLowerInvariant();

    private static RunState ParseState(string name) =>
        Enum.TryParse<RunState>(name, ignoreCase: true, out var state) ? state : throw new InvalidDataException($"A saved run has an unknown state '{name}'.");

    private SqliteConnection Open()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        return connection;
    }

    private static SqliteCommand Command(SqliteConnection connection, SqliteTransaction? transaction, string sql, params (string Name, object? Value)[] arguments)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        foreach (var (name, value) in arguments)
        {
            command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        }

        return command;
    }

    private static int Execute(SqliteConnection connection, SqliteTransaction? transaction, string sql, params (string Name, object? Value)[] arguments)
    {
        using var command = Command(connection, transaction, sql, arguments);
        return command.ExecuteNonQuery();
    }

    private static object? Scalar(SqliteConnection connection, SqliteTransaction? transaction, string sql, params (string Name, object? Value)[] arguments)
    {
        using var command = Command(connection, transaction, sql, arguments);
        return command.ExecuteScalar();
    }
}
