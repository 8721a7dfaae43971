using Playground.Scenarios.Recording;
using Playground.Shared.Events;

namespace Playground.Scenarios.Primitives;

/// <summary>
/// The threads flavour of <see cref="ISemaphore"/>, built like Python's threading.Semaphore: a
/// count under a <see cref="Monitor"/>; acquire sleeps in <see cref="Monitor.Wait(object)"/> while
/// the count is 0, release adds one and wakes one sleeper. A released permit goes to whichever
/// thread takes the lock first, so a thread that just arrived can beat one that has been waiting.
/// The bounded kind checks the count only, as BoundedSemaphore does: an extra release while others
/// wait passes (the count is 0), and only a release that would lift the count above its start raises.
/// </summary>
public sealed class MonitorSemaphore : ISemaphore
{
    private readonly object _gate = new();
    private readonly SemaphoreHolders _holders = new();
    private int _count;
    private int _sleepers;

    public MonitorSemaphore(string resource, int permits, SemaphoreKind kind)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(permits);
        Resource = resource;
        Permits = permits;
        Kind = kind;
        _count = permits;
    }

    public string Resource { get; }

    public int Permits { get; }

    public SemaphoreKind Kind { get; }

    /// <summary>The semaphore's value: permits free right now (Python's <c>_value</c>).</summary>
    public int Value
    {
        get
        {
            lock (_gate)
            {
                return _count;
            }
        }
    }

    /// <summary>Actors holding a permit right now.</summary>
    public int InUse
    {
        get
        {
            lock (_gate)
            {
                return _holders.InUse;
            }
        }
    }

    /// <summary>Callers blocked in <see cref="Acquire"/> right now.</summary>
    public int Waiting
    {
        get
        {
            lock (_gate)
            {
                return _sleepers;
            }
        }
    }

    public void Acquire(IActorRecorder actor, CancellationToken cancellationToken)
    {
        PrimitiveCall.Enter(actor, EventKind.Acquire, Resource);
        cancellationToken.ThrowIfCancellationRequested();
        using var wake = cancellationToken.CanBeCanceled ? cancellationToken.Register(WakeAll) : default;
        lock (_gate)
        {
            if (_count == 0)
            {
                actor.Record(EventKind.Wait, Resource, _count, _holders.InUse);
                _sleepers++;
                try
                {
                    while (_count == 0)
                    {
                        if (cancellationToken.IsCancellationRequested)
                        {
                            // A wake-up this sleeper took must reach another one.
                            if (_count > 0)
                            {
                                Monitor.Pulse(_gate);
                            }

                            throw new OperationCanceledException(cancellationToken);
                        }

                        Monitor.Wait(_gate);
                    }
                }
                finally
                {
                    _sleepers--;
                }
            }

            _count--;
            actor.Record(EventKind.Acquire, Resource, _count, _holders.Add(actor.Actor));
        }
    }

    public void Release(IActorRecorder actor)
    {
        PrimitiveCall.Enter(actor, EventKind.Release, Resource);
        lock (_gate)
        {
            if (Kind == SemaphoreKind.Bounded && _count + 1 > Permits)
            {
                // The caller has left all the same: only the count refused to take its permit back.
                actor.Record(EventKind.Error, Resource, Permits, _holders.Remove(actor.Actor));
                throw new SemaphoreOverReleasedException(Resource, Permits);
            }

            _count++;
            actor.Record(EventKind.Release, Resource, _count, _holders.Remove(actor.Actor));
            if (_sleepers > 0)
            {
                Monitor.Pulse(_gate);
            }
        }
    }

    private void WakeAll()
    {
        lock (_gate)
        {
            Monitor.PulseAll(_gate);
        }
    }
}
