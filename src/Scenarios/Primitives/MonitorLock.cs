using Playground.Scenarios.Recording;
using Playground.Shared.Events;

namespace Playground.Scenarios.Primitives;

/// <summary>
/// The threads flavour of <see cref="ILock"/>, Python's threading.Lock: a held flag guarded by a
/// <see cref="Monitor"/>. A caller that finds the lock held records <c>wait</c> and sleeps in
/// <see cref="Monitor.Wait(object)"/> until it is free (or its token is cancelled). Like Python's
/// Lock, any thread may release it, but releasing a free lock is an error.
/// </summary>
public sealed class MonitorLock(string resource = "lock") : ILock
{
    private readonly object _gate = new();
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

    public void Acquire(IActorRecorder actor, CancellationToken cancellationToken)
    {
        PrimitiveCall.Enter(actor, EventKind.Acquire, Resource);
        using var wake = cancellationToken.CanBeCanceled
            ? cancellationToken.UnsafeRegister(static state =>
            {
                var gate = state!;
                lock (gate)
                {
                    Monitor.PulseAll(gate);
                }
            }, _gate)
            : default;
        lock (_gate)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (_held)
            {
                actor.Record(EventKind.Wait, Resource);
                while (_held)
                {
                    Monitor.Wait(_gate);
                    cancellationToken.ThrowIfCancellationRequested();
                }
            }

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
            // Every waiter looks again: one pulse could land on a waiter that is leaving on cancellation.
            Monitor.PulseAll(_gate);
        }
    }
}
