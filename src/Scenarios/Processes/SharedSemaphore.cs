using Playground.Scenarios.Primitives;
using Playground.Scenarios.Recording;
using Playground.Shared.Events;

namespace Playground.Scenarios.Processes;

/// <summary>
/// The processes flavour of <see cref="ISemaphore"/>, shared by the children of a run: the count,
/// the waiters and a per-actor table of holders live in a /dev/shm file, guarded by a POSIX
/// semaphore used as a mutex; blocked callers sleep in the kernel on a second POSIX semaphore,
/// the wake-up. A release with someone waiting hands its permit over by posting one wake-up
/// (the count stays 0); a waiter that wakes marks itself a holder under the mutex. Everything is
/// counted under the mutex, never read back with sem_getvalue, so the count and the "in use"
/// level are exact.
/// </summary>
/// <remarks>
/// The bounded kind checks the semaphore's value as multiprocessing.BoundedSemaphore does: the
/// free count plus the wake-ups posted but not yet taken.
/// </remarks>
public sealed unsafe class SharedSemaphore : ISemaphore, IDisposable
{
    private const long Magic = 0x50_47_53_45_4D_41_50; // "PGSEMAP"
    private const int HeaderWords = 16;

    // Header words.
    private const int WMagic = 0, WPermits = 1, WKind = 2, WCount = 3, WWaiters = 4, WHanded = 5, WInUse = 6, WSlots = 7;

    // How long a read of the figures waits for the mutex before it reads without it.
    private static readonly TimeSpan ReadPatience = TimeSpan.FromSeconds(1);

    private readonly SharedMapping _mapping;
    private readonly long* _words;
    private readonly long* _held;
    private readonly int _slots;
    private readonly PosixSemaphore _mutex;
    private readonly PosixSemaphore _wake;
    private int _disposed;

    private SharedSemaphore(SharedSemaphoreNames names, string resource, SharedMapping mapping, PosixSemaphore mutex, PosixSemaphore wake)
    {
        Names = names;
        Resource = resource;
        _mapping = mapping;
        _words = (long*)mapping.Pointer;
        if (_words[WMagic] != Magic)
        {
            throw new InvalidDataException($"{names.MemoryPath} is not a shared semaphore");
        }

        _held = _words + HeaderWords;
        _slots = (int)_words[WSlots];
        Permits = (int)_words[WPermits];
        Kind = (SemaphoreKind)_words[WKind];
        _mutex = mutex;
        _wake = wake;
    }

    public SharedSemaphoreNames Names { get; }

    public string Resource { get; }

    public int Permits { get; }

    public SemaphoreKind Kind { get; }

    /// <summary>
    /// Creates the file and semaphores of a new semaphore with <paramref name="permits"/> permits,
    /// for actors 0 … <paramref name="actors"/> − 1.
    /// </summary>
    public static SharedSemaphore Create(SharedSemaphoreNames names, string resource, int permits, SemaphoreKind kind, int actors)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(permits);
        ArgumentOutOfRangeException.ThrowIfLessThan(actors, 1);
        SharedMapping? mapping = null;
        PosixSemaphore? mutex = null;
        try
        {
            mapping = SharedMapping.Create(names.MemoryPath, (HeaderWords + (long)actors) * sizeof(long));
            var words = (long*)mapping.Pointer;
            words[WPermits] = permits;
            words[WKind] = (long)kind;
            words[WCount] = permits;
            words[WSlots] = actors;
            Volatile.Write(ref words[WMagic], Magic);
            mutex = PosixSemaphore.Create(names.Mutex, 1);
            return new SharedSemaphore(names, resource, mapping, mutex, PosixSemaphore.Create(names.Wake, 0));
        }
        catch
        {
            // Remove only what this call made: a name that already existed belongs to someone else.
            if (mutex is not null)
            {
                mutex.Dispose();
                PosixSemaphore.Unlink(names.Mutex);
            }

            if (mapping is not null)
            {
                mapping.Dispose();
                File.Delete(names.MemoryPath);
            }

            throw;
        }
    }

    /// <summary>Opens a semaphore another process created (a child opening the run's semaphore).</summary>
    public static SharedSemaphore Open(SharedSemaphoreNames names, string resource)
    {
        SharedMapping? mapping = null;
        PosixSemaphore? mutex = null;
        try
        {
            mapping = SharedMapping.Open(names.MemoryPath);
            mutex = PosixSemaphore.Open(names.Mutex);
            return new SharedSemaphore(names, resource, mapping, mutex, PosixSemaphore.Open(names.Wake));
        }
        catch
        {
            mutex?.Dispose();
            mapping?.Dispose();
            throw;
        }
    }

    /// <summary>The semaphore's value: permits free plus permits handed over but not yet taken.</summary>
    public int Value => Read(() => (int)(_words[WCount] + _words[WHanded]));

    /// <summary>Actors holding a permit right now.</summary>
    public int InUse => Read(() => (int)_words[WInUse]);

    /// <summary>Callers asleep in the kernel, not yet handed a permit.</summary>
    public int Waiting => Read(() => (int)_words[WWaiters]);

    public void Acquire(IActorRecorder actor, CancellationToken cancellationToken)
    {
        PrimitiveCall.Enter(actor, EventKind.Acquire, Resource);
        cancellationToken.ThrowIfCancellationRequested();
        Lock();
        try
        {
            if (_words[WCount] > 0)
            {
                _words[WCount]--;
                actor.Record(EventKind.Acquire, Resource, _words[WCount], Hold(actor.Actor));
                return;
            }

            _words[WWaiters]++;
            actor.Record(EventKind.Wait, Resource, _words[WCount], _words[WInUse]);
        }
        finally
        {
            _mutex.Release();
        }

        try
        {
            _wake.Wait(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            Lock();
            try
            {
                if (_wake.TryWait())
                {
                    // A permit was handed over and nobody has taken it yet: take it and pass it on,
                    // so it is not lost with this caller.
                    _words[WHanded]--;
                    PassOn();
                }
                else
                {
                    // Still counted among the waiters (nothing was posted that this caller could owe).
                    _words[WWaiters]--;
                }
            }
            finally
            {
                _mutex.Release();
            }

            throw;
        }

        Lock();
        try
        {
            _words[WHanded]--;
            actor.Record(EventKind.Acquire, Resource, _words[WCount], Hold(actor.Actor));
        }
        finally
        {
            _mutex.Release();
        }
    }

    public void Release(IActorRecorder actor)
    {
        PrimitiveCall.Enter(actor, EventKind.Release, Resource);
        Lock();
        try
        {
            if (Kind == SemaphoreKind.Bounded && _words[WCount] + _words[WHanded] + 1 > Permits)
            {
                // The caller has left all the same: only the count refused to take its permit back.
                actor.Record(EventKind.Error, Resource, Permits, Unhold(actor.Actor));
                throw new SemaphoreOverReleasedException(Resource, Permits);
            }

            var inUse = Unhold(actor.Actor);
            PassOn();
            actor.Record(EventKind.Release, Resource, _words[WCount], inUse);
        }
        finally
        {
            _mutex.Release();
        }
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _mapping.Dispose();
        _mutex.Dispose();
        _wake.Dispose();
    }

    /// <summary>A free permit goes to a sleeper if there is one, else back to the count. Under the mutex.</summary>
    private void PassOn()
    {
        if (_words[WWaiters] > 0)
        {
            _words[WWaiters]--;
            _words[WHanded]++;
            _wake.Release();
        }
        else
        {
            _words[WCount]++;
        }
    }

    private long Hold(int actor)
    {
        var slot = Slot(actor);
        if (slot[0]++ == 0)
        {
            _words[WInUse]++;
        }

        return _words[WInUse];
    }

    private long Unhold(int actor)
    {
        var slot = Slot(actor);
        if (slot[0] > 0 && --slot[0] == 0)
        {
            _words[WInUse]--;
        }

        return _words[WInUse];
    }

    private long* Slot(int actor) =>
        (uint)actor < (uint)_slots ? _held + actor : throw new ArgumentOutOfRangeException(nameof(actor), actor, $"the semaphore has room for {_slots} actors");

    /// <summary>
    /// Reads under the mutex. A child killed while it held the mutex (a cancelled or crashed run)
    /// never gives it back; the report still reads the figures then, unlocked, as nobody else writes.
    /// </summary>
    private T Read<T>(Func<T> read)
    {
        if (!_mutex.Wait(ReadPatience))
        {
            return read();
        }

        try
        {
            return read();
        }
        finally
        {
            _mutex.Release();
        }
    }

    // The mutex is held for a few instructions and one event record; it is never cancelled.
    private void Lock() => _mutex.Wait(CancellationToken.None);
}

/// <summary>The names of one run's shared semaphore, carrying the run's key.</summary>
public sealed record SharedSemaphoreNames(string Key, string Name = "lot")
{
    public string MemoryPath => $"/dev/shm/pg-{Key}-{Name}";
    public string Mutex => $"/pg-{Key}-{Name}-mutex";
    public string Wake => $"/pg-{Key}-{Name}-wake";

    public IEnumerable<string> Paths => [MemoryPath, PosixSemaphore.PathOf(Mutex), PosixSemaphore.PathOf(Wake)];

    public void Unlink()
    {
        PosixSemaphore.Unlink(Mutex);
        PosixSemaphore.Unlink(Wake);
        try
        {
            File.Delete(MemoryPath);
        }
        catch (IOException)
        {
        }
    }
}
