using System.Collections.Concurrent;
using Playground.Scenarios.Engine;
using Playground.Scenarios.Primitives;
using Playground.Scenarios.Processes;
using Playground.Shared.Catalog;
using Playground.Shared.Text;
using S = Playground.Shared.Catalog.TicketBookingSchema;

namespace Playground.Scenarios.TicketBooking;

/// <summary>
/// What the buyers share: the store in the run's own temporary folder, and the lock the knobs ask
/// for. The folder (<c>pg-&lt;key&gt;-tickets</c> in the temp directory) and the semaphore's name
/// carry the run's key, so nothing of one run is seen by another and a sweep can tell whose they are.
/// </summary>
public sealed class TicketWorld : IDisposable
{
    public const string LockFileName = "tickets.lock";

    private readonly string _key;
    private readonly bool _owner;
    private readonly ILock? _sharedLock;
    private readonly ConcurrentDictionary<int, ProcessLock> _fileLocks = new();

    private TicketWorld(string key, bool owner, string folder, ITicketStore store, string lockKind, ILock? sharedLock)
    {
        _key = key;
        _owner = owner;
        Folder = folder;
        Store = store;
        LockKind = lockKind;
        _sharedLock = sharedLock;
    }

    /// <summary>The run's temporary folder, holding the store (and the lock file for flock).</summary>
    public string Folder { get; }

    public ITicketStore Store { get; }

    public string LockKind { get; }

    public static string FolderOf(string key) => Path.Combine(Path.GetTempPath(), $"pg-{key}-tickets");

    public static string SemaphoreNameOf(string key) => $"/pg-{key}-tickets";

    /// <summary>
    /// Makes the run's folder, its store holding the starting count, and its lock. The world that
    /// creates is the owner: disposing it removes the folder and the semaphore's name.
    /// </summary>
    public static TicketWorld Create(string key, TicketSettings s)
    {
        var folder = FolderOf(key);
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(folder);
        }
        else
        {
            // Only the server's user may look in: the store is the run's, not the machine's.
            Directory.CreateDirectory(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        try
        {
            var store = TicketStores.Create(s.Store, folder, s.Tickets);
            ILock? shared = s.Lock switch
            {
                S.ThreadLock => new MonitorLock(S.LockResource),
                S.SemaphoreLock => NamedSemaphoreLock.Create(SemaphoreNameOf(key), S.LockResource),
                _ => null,
            };
            return new TicketWorld(key, owner: true, folder, store, s.Lock, shared);
        }
        catch (Exception ex)
        {
            Remove(key);
            throw new ActorFailedException(Msg.Of("ticket.failure.create", ("path", folder), ("error", ex.Message)), ex);
        }
    }

    /// <summary>
    /// Opens, in a buyer's own process, what <see cref="Create"/> made. An in-process lock cannot
    /// be opened: each process makes its own, which is the mistake the scenario lets people make.
    /// </summary>
    public static TicketWorld Open(string key, TicketSettings s)
    {
        var folder = FolderOf(key);
        var store = TicketStores.Open(s.Store, folder);
        ILock? shared = s.Lock switch
        {
            S.ThreadLock => new MonitorLock(S.LockResource),
            S.SemaphoreLock => NamedSemaphoreLock.Open(SemaphoreNameOf(key), S.LockResource),
            _ => null,
        };
        return new TicketWorld(key, owner: false, folder, store, s.Lock, shared);
    }

    /// <summary>
    /// The lock buyer <paramref name="actor"/> takes around its purchase; null without one. flock
    /// belongs to an open file, so every buyer opens the lock file itself, in threads mode too.
    /// </summary>
    public ILock? LockFor(int actor) => LockKind == S.FileLock
        ? _fileLocks.GetOrAdd(actor, static (_, folder) => new ProcessLock(Path.Combine(folder, LockFileName), S.LockResource), Folder)
        : _sharedLock;

    /// <summary>Removes a run's folder and semaphore name; safe when some are missing.</summary>
    public static void Remove(string key)
    {
        try
        {
            Directory.Delete(FolderOf(key), recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }

        PosixSemaphore.Unlink(SemaphoreNameOf(key));
    }

    public void Dispose()
    {
        foreach (var fileLock in _fileLocks.Values)
        {
            fileLock.Dispose();
        }

        (_sharedLock as IDisposable)?.Dispose();
        if (_owner)
        {
            Remove(_key);
        }
    }
}
