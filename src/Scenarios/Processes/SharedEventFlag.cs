using Playground.Scenarios.Recording;
using Playground.Shared.Events;

namespace Playground.Scenarios.Processes;

/// <summary>
/// An event flag shared by processes, like multiprocessing.Event: a flag and a waiter count in a
/// /dev/shm file, a POSIX mutex, and a semaphore that <see cref="Set"/> posts once per waiter.
/// A waiter woken by a set passes even if the flag is cleared again right after, as in Python.
/// </summary>
public sealed unsafe class SharedEventFlag : IDisposable
{
    private const string Resource = "event";
    private readonly SharedMapping _mapping;
    private readonly long* _words; // [0] flag, [1] waiters, [2] sets so far
    private readonly PosixSemaphore _mutex;
    private readonly PosixSemaphore _wake;
    private int _disposed;

    private SharedEventFlag(SharedEventNames names, SharedMapping mapping, PosixSemaphore mutex, PosixSemaphore wake)
    {
        Names = names;
        _mapping = mapping;
        _words = (long*)mapping.Pointer;
        _mutex = mutex;
        _wake = wake;
    }

    public SharedEventNames Names { get; }

    public static SharedEventFlag Create(SharedEventNames names)
    {
        SharedMapping? mapping = null;
        PosixSemaphore? mutex = null;
        try
        {
            mapping = SharedMapping.Create(names.MemoryPath, 64);
            mutex = PosixSemaphore.Create(names.Mutex, 1);
            return new SharedEventFlag(names, mapping, mutex, PosixSemaphore.Create(names.Wake, 0));
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

    public static SharedEventFlag Open(SharedEventNames names)
    {
        return new SharedEventFlag(names, SharedMapping.Open(names.MemoryPath), PosixSemaphore.Open(names.Mutex), PosixSemaphore.Open(names.Wake));
    }

    public bool IsSet => Volatile.Read(ref _words[0]) != 0;

    public void Set(IActorRecorder actor)
    {
        _mutex.Wait(CancellationToken.None);
        try
        {
            _words[0] = 1;
            for (var i = 0; i < _words[1]; i++)
            {
                _wake.Release();
            }

            actor.Record(EventKind.Set, Resource, _words[1], 1);
            _words[1] = 0;
            _words[2]++;
        }
        finally
        {
            _mutex.Release();
        }
    }

    public void Clear(IActorRecorder actor)
    {
        _mutex.Wait(CancellationToken.None);
        try
        {
            _words[0] = 0;
            actor.Record(EventKind.Clear, Resource, 0, 0);
        }
        finally
        {
            _mutex.Release();
        }
    }

    /// <summary>Returns at once when the flag is set; otherwise blocks in the kernel until the next set.</summary>
    public void Wait(IActorRecorder actor, CancellationToken cancellationToken)
    {
        long sets;
        _mutex.Wait(CancellationToken.None);
        try
        {
            if (_words[0] != 0)
            {
                return;
            }

            _words[1]++;
            sets = _words[2];
            actor.Record(EventKind.Wait, Resource, 0, 0);
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
            // A waiter that gives up must not stay counted, or the next set posts a wake-up that
            // nobody takes and a later wait passes on it while the flag is clear.
            _mutex.Wait(CancellationToken.None);
            try
            {
                if (_words[2] == sets)
                {
                    _words[1]--;
                }
                else
                {
                    // A set already posted this waiter's wake-up: take it back.
                    _ = _wake.TryWait();
                }
            }
            finally
            {
                _mutex.Release();
            }

            throw;
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
}

/// <summary>The names of one run's shared event flag, carrying the run id.</summary>
public sealed record SharedEventNames(string RunId, string Name = "event")
{
    public string MemoryPath => $"/dev/shm/pg-{RunId}-{Name}";
    public string Mutex => $"/pg-{RunId}-{Name}-mutex";
    public string Wake => $"/pg-{RunId}-{Name}-wake";

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
