using Playground.Scenarios.Recording;

namespace Playground.Scenarios.Primitives;

/// <summary>
/// A mutual-exclusion lock that records <c>wait</c> only when the lock is really held by someone
/// else, then <c>acquire</c>, and <c>release</c>. The thread flavour is <see cref="MonitorLock"/>,
/// the process flavour <see cref="Processes.ProcessLock"/> (flock), the async flavour
/// <see cref="AsyncLock"/> (a one-permit semaphore).
/// </summary>
public interface ILock
{
    string Resource { get; }

    void Acquire(IActorRecorder actor, CancellationToken cancellationToken);

    void Release(IActorRecorder actor);
}

/// <summary>The async flavour of <see cref="ILock"/>.</summary>
public interface IAsyncLock
{
    string Resource { get; }

    ValueTask AcquireAsync(IActorRecorder actor, CancellationToken cancellationToken);

    void Release(IActorRecorder actor);
}
