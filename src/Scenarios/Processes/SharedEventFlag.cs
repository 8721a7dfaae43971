using System.Diagnostics;
using Playground.Scenarios.Primitives;
using Playground.Scenarios.Recording;
using Playground.Shared.Events;

namespace Playground.Scenarios.Processes;

/// <summary>
/// An event flag shared by processes, like multiprocessing.Event: the flag, a count of blocked
/// waiters and a generation (sets so far) in a /dev/shm file, guarded by a POSIX semaphore used as
/// a mutex. Waiters sleep in the kernel on the generation word (futex), so a waiter passes only when
/// a set happened after it began waiting, or when the flag is up as it checks. A waiter woken by a
/// set passes even if the flag is cleared again right after, as in Python.
/// </summary>
/// <remarks>
/// An earlier version posted one semaphore permit per waiter on set. A permit is anyone's: a waiter
/// that arrived after a clear could take the permit of one that was still waking up and pass while
/// the flag was clear, and the rightful waiter slept on. A generation cannot be taken by anyone.
/// </remarks>
public sealed unsafe class SharedEventFlag : IEventFlag, IDisposable
{
    private const int MappingBytes = 64;

    // With a cancellable token a waiter wakes this often to look at it.
    private static readonly TimeSpan CancelSlice = TimeSpan.FromMilliseconds(100);

    private readonly SharedMapping _mapping;
    private readonly int* _generation; // sets so far (wrapping); the futex word waiters sleep on
    private readonly long* _flag;
    private readonly long* _waiters; // blocked now and not yet released by a set
    private readonly PosixSemaphore _mutex;
    private int _disposed;

    private SharedEventFlag(SharedEventNames names, SharedMapping mapping, PosixSemaphore mutex)
    {
        Names = names;
        _mapping = mapping;
        _generation = (int*)mapping.Pointer;
        _flag = (long*)(mapping.Pointer + 8);
        _waiters = (long*)(mapping.Pointer + 16);
        _mutex = mutex;
    }

    public SharedEventNames Names { get; }

    public string Resource => EventFlagResources.Flag;

    public static SharedEventFlag Create(SharedEventNames names)
    {
        SharedMapping? mapping = null;
        try
        {
            mapping = SharedMapping.Create(names.MemoryPath, MappingBytes);
            return new SharedEventFlag(names, mapping, PosixSemaphore.Create(names.Mutex, 1));
        }
        catch
        {
            // Remove only what this call made: a name that already existed belongs to someone else.
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
        var mapping = SharedMapping.Open(names.MemoryPath);
        try
        {
            return new SharedEventFlag(names, mapping, PosixSemaphore.Open(names.Mutex));
        }
        catch
        {
            mapping.Dispose();
            throw;
        }
    }

    public bool IsSet => Volatile.Read(ref *_flag) != 0;

    public void Set(IActorRecorder actor)
    {
        PrimitiveCall.Enter(actor, EventKind.Set, Resource);
        _mutex.Wait(CancellationToken.None);
        try
        {
            var woken = *_waiters;
            *_waiters = 0;
            // Recorded before any waiter can see the set: a woken waiter's pass is always later on the clock.
            actor.Record(EventKind.Set, Resource, woken, 1);
            Volatile.Write(ref *_flag, 1);
            Interlocked.Increment(ref *_generation);
        }
        finally
        {
            _mutex.Release();
        }

        // The generation has moved: a waiter about to sleep on the old one returns at once instead.
        Futex.WakeAll(_generation);
    }

    public void Clear(IActorRecorder actor)
    {
        PrimitiveCall.Enter(actor, EventKind.Clear, Resource);
        _mutex.Wait(CancellationToken.None);
        try
        {
            Volatile.Write(ref *_flag, 0);
            actor.Record(EventKind.Clear, Resource, 0, 0);
        }
        finally
        {
            _mutex.Release();
        }
    }

    /// <summary>
    /// Returns true at once when the flag is up; otherwise blocks in the kernel until a set that
    /// comes after this call began. False when <paramref name="timeout"/> passes first.
    /// </summary>
    public bool Wait(IActorRecorder actor, TimeSpan? timeout, CancellationToken cancellationToken)
    {
        PrimitiveCall.Enter(actor, EventKind.Wait, Resource);
        cancellationToken.ThrowIfCancellationRequested();
        int generation;
        _mutex.Wait(CancellationToken.None);
        try
        {
            if (*_flag != 0)
            {
                actor.Record(EventKind.Acquire, EventFlagResources.Up, 0, 1);
                return true;
            }

            generation = Volatile.Read(ref *_generation);
            var waiting = ++*_waiters;
            actor.Record(EventKind.Wait, Resource, waiting, 0);
        }
        finally
        {
            _mutex.Release();
        }

        var started = Stopwatch.GetTimestamp();
        while (Volatile.Read(ref *_generation) == generation)
        {
            TimeSpan? sleep = null;
            if (timeout is { } limit)
            {
                var left = limit - Stopwatch.GetElapsedTime(started);
                if (left <= TimeSpan.Zero)
                {
                    break;
                }

                sleep = left;
            }

            if (cancellationToken.CanBeCanceled)
            {
                if (cancellationToken.IsCancellationRequested)
                {
                    break;
                }

                sleep = sleep is { } s && s < CancelSlice ? s : CancelSlice;
            }

            Futex.Sleep(_generation, generation, sleep);
        }

        return Leave(actor, generation, cancellationToken);
    }

    /// <summary>
    /// Under the mutex: a waiter a set has released passes (the set already took it off the count,
    /// even if the flag has been cleared since); one that gives up takes itself off the count, so
    /// no later set counts it and nothing it leaves can let another waiter through.
    /// </summary>
    private bool Leave(IActorRecorder actor, int generation, CancellationToken cancellationToken)
    {
        _mutex.Wait(CancellationToken.None);
        try
        {
            if (Volatile.Read(ref *_generation) != generation)
            {
                actor.Record(EventKind.Acquire, EventFlagResources.Woken, (uint)(generation + 1), *_flag);
                return true;
            }

            (*_waiters)--;
            if (!cancellationToken.IsCancellationRequested)
            {
                actor.Record(EventKind.Poll, EventFlagResources.TimedOut, 0, *_flag);
                return false;
            }
        }
        finally
        {
            _mutex.Release();
        }

        throw new OperationCanceledException(cancellationToken);
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _mapping.Dispose();
        _mutex.Dispose();
    }
}

/// <summary>The names of one run's shared event flag, carrying the run's key.</summary>
public sealed record SharedEventNames(string RunId, string Name = EventFlagResources.Flag)
{
    public string MemoryPath => $"/dev/shm/pg-{RunId}-{Name}";
    public string Mutex => $"/pg-{RunId}-{Name}-mutex";

    public IEnumerable<string> Paths => [MemoryPath, PosixSemaphore.PathOf(Mutex)];

    public void Unlink()
    {
        PosixSemaphore.Unlink(Mutex);
        try
        {
            File.Delete(MemoryPath);
        }
        catch (IOException)
        {
        }
    }
}
