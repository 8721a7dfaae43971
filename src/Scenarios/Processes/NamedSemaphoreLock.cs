using Playground.Scenarios.Primitives;
using Playground.Scenarios.Recording;
using Playground.Shared.Events;

namespace Playground.Scenarios.Processes;

/// <summary>
/// An <see cref="ILock"/> on a POSIX named semaphore with one permit: what CPython's
/// multiprocessing.Lock is. Every process (and every thread) that opens the same name shares it.
/// Records <c>wait</c> only when the permit is really taken by someone else.
/// </summary>
public sealed class NamedSemaphoreLock : ILock, IDisposable
{
    private readonly PosixSemaphore _semaphore;

    private NamedSemaphoreLock(PosixSemaphore semaphore, string resource)
    {
        _semaphore = semaphore;
        Resource = resource;
    }

    public string Resource { get; }

    /// <summary>The semaphore's name ("/pg-…").</summary>
    public string Name => _semaphore.Name;

    /// <summary>Creates the name with one permit; fails if it exists.</summary>
    public static NamedSemaphoreLock Create(string name, string resource = "lock") => new(PosixSemaphore.Create(name, 1), resource);

    /// <summary>Opens a name another process created.</summary>
    public static NamedSemaphoreLock Open(string name, string resource = "lock") => new(PosixSemaphore.Open(name), resource);

    public void Acquire(IActorRecorder actor, CancellationToken cancellationToken)
    {
        PrimitiveCall.Enter(actor, EventKind.Acquire, Resource);
        cancellationToken.ThrowIfCancellationRequested();
        if (!_semaphore.TryWait())
        {
            actor.Record(EventKind.Wait, Resource);
            _semaphore.Wait(cancellationToken);
        }

        actor.Record(EventKind.Acquire, Resource);
    }

    public void Release(IActorRecorder actor)
    {
        PrimitiveCall.Enter(actor, EventKind.Release, Resource);
        // Recorded first: once the permit is back another holder may record its acquire.
        actor.Record(EventKind.Release, Resource);
        _semaphore.Release();
    }

    public void Dispose() => _semaphore.Dispose();
}
