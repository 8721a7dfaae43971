using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Playground.Scenarios.Engine;
using Playground.Shared.Catalog;
using Playground.Shared.Text;

namespace Playground.Scenarios.TicketBooking;

/// <summary>
/// Where the count of tickets lives: a real file that every buyer opens, reads and writes on its
/// own, as the tutorial's buyers do. Nothing in a store serialises its callers: a read and a later
/// write are two separate operations, so two buyers can read the same count.
/// </summary>
public interface ITicketStore
{
    /// <summary>The file a person would look at.</summary>
    string Path { get; }

    /// <summary>Opens the store, reads the count, closes it.</summary>
    /// <exception cref="ActorFailedException">The file is gone or does not hold a count.</exception>
    long Read();

    /// <summary>Opens the store, writes the count, closes it.</summary>
    /// <exception cref="ActorFailedException">The file is gone or does not hold a count.</exception>
    void Write(long number);
}

/// <summary>Makes and opens a run's store by kind.</summary>
public static class TicketStores
{
    /// <summary>Creates the store in <paramref name="folder"/> holding <paramref name="tickets"/>.</summary>
    public static ITicketStore Create(string kind, string folder, long tickets) => kind == TicketBookingSchema.Sqlite
        ? SqliteTicketStore.Create(System.IO.Path.Combine(folder, SqliteTicketStore.FileName), tickets)
        : JsonTicketStore.Create(System.IO.Path.Combine(folder, JsonTicketStore.FileName), tickets);

    /// <summary>Opens the store another process created in <paramref name="folder"/>.</summary>
    public static ITicketStore Open(string kind, string folder)
    {
        if (kind != TicketBookingSchema.Sqlite)
        {
            return new JsonTicketStore(System.IO.Path.Combine(folder, JsonTicketStore.FileName));
        }

        SqliteTicketStore.Warm();
        return new SqliteTicketStore(System.IO.Path.Combine(folder, SqliteTicketStore.FileName));
    }

    /// <summary>The store is gone (deleted by hand mid-run).</summary>
    internal static ActorFailedException Missing(string path, Exception? inner = null) =>
        new(Msg.Of("ticket.failure.missing", ("path", path)), inner);

    /// <summary>The store holds something that is not a count.</summary>
    internal static ActorFailedException Corrupt(string path, string detail, Exception? inner = null) =>
        new(Msg.Of("ticket.failure.corrupt", ("path", path), ("detail", detail)), inner);
}

/// <summary>
/// The tutorial's store: a JSON file holding <c>{"number": N}</c>. Every read opens the file and
/// parses it whole; every write opens it and writes it whole.
/// </summary>
/// <remarks>
/// A write rewrites the file in place at a fixed length (the JSON padded with spaces) rather than
/// truncating it first, so a reader never meets an empty or half-written file: the race this
/// scenario shows is the lost update between a read and a later write, not a torn file. Files are
/// opened with every sharing flag, so .NET's own advisory locks never make a buyer wait.
/// </remarks>
public sealed class JsonTicketStore(string path) : ITicketStore
{
    public const string FileName = "tickets.json";

    /// <summary>Bytes of every write: room for any count the knobs allow, padded, and a newline.</summary>
    private const int Width = 40;

    public string Path { get; } = path;

    public static JsonTicketStore Create(string path, long tickets)
    {
        using (var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete))
        {
            file.Write(Encode(tickets));
        }

        return new JsonTicketStore(path);
    }

    public long Read()
    {
        string text;
        try
        {
            using var file = new FileStream(Path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var reader = new StreamReader(file, Encoding.UTF8);
            text = reader.ReadToEnd();
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            throw TicketStores.Missing(Path, ex);
        }

        return Parse(text);
    }

    public void Write(long number)
    {
        try
        {
            using var file = new FileStream(Path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete);
            file.Write(Encode(number));
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            throw TicketStores.Missing(Path, ex);
        }
    }

    private long Parse(string text)
    {
        try
        {
            using var json = JsonDocument.Parse(text);
            if (json.RootElement.ValueKind == JsonValueKind.Object
                && json.RootElement.TryGetProperty("number", out var number)
                && number.TryGetInt64(out var value))
            {
                return value;
            }
        }
        catch (JsonException ex)
        {
            throw TicketStores.Corrupt(Path, Clip(text), ex);
        }

        throw TicketStores.Corrupt(Path, Clip(text));
    }

    private static string Clip(string text)
    {
        var t = text.Trim();
        return t.Length <= 60 ? t : t[..60] + "…";
    }

    private static byte[] Encode(long number)
    {
        var json = string.Create(CultureInfo.InvariantCulture, $"{{\"number\": {number}}}");
        return Encoding.UTF8.GetBytes(json.PadRight(Width - 1) + "\n");
    }
}

/// <summary>
/// The count as one row of a SQLite database file. A read is a SELECT and a write an UPDATE, each
/// in its own implicit transaction on a fresh connection, with nothing around the pair: SQLite
/// keeps each statement whole, not the purchase.
/// </summary>
/// <remarks>
/// The database is in WAL mode, so readers never wait for the writer; writers take turns on
/// SQLite's own file lock, retrying for up to the command timeout when it is busy. Connections
/// are not pooled: a buyer's file is closed when its operation ends.
/// </remarks>
public sealed class SqliteTicketStore(string path) : ITicketStore
{
    public const string FileName = "tickets.db";

    private const int CantOpen = 14;

    public string Path { get; } = path;

    /// <summary>
    /// Loads SQLite's native library and readies the provider on an in-memory database, so a
    /// buyer process pays for that while starting up rather than inside its first query.
    /// </summary>
    public static void Warm()
    {
        using var connection = new SqliteConnection("Data Source=:memory:");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT 1";
        command.ExecuteScalar();
    }

    public static SqliteTicketStore Create(string path, long tickets)
    {
        using (var connection = new SqliteConnection(ConnectionString(path, SqliteOpenMode.ReadWriteCreate)))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText =
                """
                PRAGMA journal_mode = WAL;
                CREATE TABLE tickets (id INTEGER PRIMARY KEY CHECK (id = 1), number INTEGER NOT NULL);
                INSERT INTO tickets (id, number) VALUES (1, $number);
                """;
            command.Parameters.AddWithValue("$number", tickets);
            command.ExecuteNonQuery();
        }

        return new SqliteTicketStore(path);
    }

    public long Read() => Run(command =>
    {
        command.CommandText = "SELECT number FROM tickets WHERE id = 1";
        return command.ExecuteScalar() is long number ? number : throw TicketStores.Corrupt(Path, "SELECT number FROM tickets: no row");
    });

    public void Write(long number) => Run(command =>
    {
        command.CommandText = "UPDATE tickets SET number = $number WHERE id = 1";
        command.Parameters.AddWithValue("$number", number);
        return command.ExecuteNonQuery() == 1 ? number : throw TicketStores.Corrupt(Path, "UPDATE tickets: no row");
    });

    private long Run(Func<SqliteCommand, long> body)
    {
        // Mode=ReadWrite: a database deleted under the run is an error, not a new empty file.
        if (!File.Exists(Path))
        {
            throw TicketStores.Missing(Path);
        }

        try
        {
            using var connection = new SqliteConnection(ConnectionString(Path, SqliteOpenMode.ReadWrite));
            connection.Open();
            using var command = connection.CreateCommand();
            return body(command);
        }
        catch (SqliteException ex) when (ex.SqliteErrorCode == CantOpen)
        {
            throw TicketStores.Missing(Path, ex);
        }
        catch (SqliteException ex)
        {
            // A database deleted between the check above and the open may answer with another
            // error than "cannot open" (its WAL files are still there): look again before blaming its content.
            throw File.Exists(Path) ? TicketStores.Corrupt(Path, ex.Message, ex) : TicketStores.Missing(Path, ex);
        }
    }

    private static string ConnectionString(string path, SqliteOpenMode mode) => new SqliteConnectionStringBuilder
    {
        DataSource = path,
        Mode = mode,
        Pooling = false,
        DefaultTimeout = 30,
    }.ToString();
}
