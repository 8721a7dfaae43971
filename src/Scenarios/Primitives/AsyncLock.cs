using Playground.Scenarios.Recording;
using Playground.Shared.Events;

namespace Playground.Scenarios.Primitives;

/// <summary>
/// The async flavour of <see cref="ILock"/>, asyncio.Lock: a <see cref="SemaphoreSlim"/> with one
/// permit. A task that finds it taken records <c>wait</c> and awaits without holding a thread; one
/// that finds it free takes it at once and records no wait. Releasing a free lock is an error.
/// </summary>
public sealed class AsyncLock(string resource = "lock") : IAsyncLock, IDisposable
{
    // Orders the records: a wait is recorded while the holder has not recorded its release yet.
    private readonly object _gate = new();
    private readonly SemaphoreSlim _permit = new(1, 1);
    private bool _held;

    public string Resource { get; } = resource;

    /// <summary>True while someone holds the lock (a snapshot).</summary>
    public bool IsHeld
    {
        get
        {
            lock (_gate)
            {
                return _held;
            }
        }
    }

    public async ValueTask AcquireAsync(IActorRecorder actor, CancellationToken cancellationToken)
    {
        PrimitiveCall.Enter(actor, EventKind.Acquire, Resource);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            if (_permit.Wait(0, CancellationToken.None))
            {
                _held = true;
                actor.Record(EventKind.Acquire, Resource);
                return;
            }

            actor.Record(EventKind.Wait, Resource);
        }

        await _permit.WaitAsync(cancellationToken).ConfigureAwait(false);
        lock (_gate)
        {
            _held = true;
            actor.Record(EventKind.Acquire, Resource);
        }
    }

    public void Release(IActorRecorder actor)
    {
        PrimitiveCall.Enter(actor, EventKind.Release, Resource);
        lock (_gate)
        {
            if (!_held)
            {
                throw new InvalidOperationException($"{Resource}: release of a lock that is not held");
            }

            _held = false;
            actor.Record(EventKind.Release, Resource);
            // Waiters' continuations run asynchronously, never inline under the gate.
            _permit.Release();
        }
    }

    public void Dispose() => _permit.Dispose();
}
