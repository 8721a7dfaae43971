using System.Diagnostics;
using Playground.Scenarios.Recording;
using Playground.Shared.Events;

namespace Playground.Scenarios.Primitives;

/// <summary>
/// The threads flavour of <see cref="IEventFlag"/>, like threading.Event: a flag and a generation
/// (sets so far) under a <see cref="Monitor"/>. A waiter remembers the generation it began waiting
/// in and passes once it has moved, so a set releases exactly the waiters that were already
/// waiting, even if the flag is cleared again before they run. Cancellation pulses waiters awake.
/// </summary>
public sealed class MonitorEventFlag : IEventFlag
{
    private readonly object _gate = new();
    private bool _flag;
    private long _generation;
    private long _waiters;

    public string Resource => EventFlagResources.Flag;

    public bool IsSet
    {
        get
        {
            lock (_gate)
            {
                return _flag;
            }
        }
    }

    public void Set(IActorRecorder actor)
    {
        PrimitiveCall.Enter(actor, EventKind.Set, Resource);
        lock (_gate)
        {
            actor.Record(EventKind.Set, Resource, _waiters, 1);
            _waiters = 0;
            _flag = true;
            _generation++;
            Monitor.PulseAll(_gate);
        }
    }

    public void Clear(IActorRecorder actor)
    {
        PrimitiveCall.Enter(actor, EventKind.Clear, Resource);
        lock (_gate)
        {
            _flag = false;
            actor.Record(EventKind.Clear, Resource, 0, 0);
        }
    }

    public bool Wait(IActorRecorder actor, TimeSpan? timeout, CancellationToken cancellationToken)
    {
        PrimitiveCall.Enter(actor, EventKind.Wait, Resource);
        cancellationToken.ThrowIfCancellationRequested();
        using var wake = Register(cancellationToken);
        lock (_gate)
        {
            if (_flag)
            {
                actor.Record(EventKind.Acquire, EventFlagResources.Up, 0, 1);
                return true;
            }

            var generation = _generation;
            _waiters++;
            actor.Record(EventKind.Wait, Resource, _waiters, 0);
            var started = Stopwatch.GetTimestamp();
            while (_generation == generation)
            {
                if (cancellationToken.IsCancellationRequested)
                {
                    // Off the count, so the next set does not count a waiter that left.
                    _waiters--;
                    cancellationToken.ThrowIfCancellationRequested();
                }

                if (timeout is not { } limit)
                {
                    Monitor.Wait(_gate);
                    continue;
                }

                var left = limit - Stopwatch.GetElapsedTime(started);
                if (left <= TimeSpan.Zero)
                {
                    _waiters--;
                    actor.Record(EventKind.Poll, EventFlagResources.TimedOut, 0, 0);
                    return false;
                }

                Monitor.Wait(_gate, TimeSpan.FromMilliseconds(Math.Min(Math.Ceiling(left.TotalMilliseconds), int.MaxValue)));
            }

            actor.Record(EventKind.Acquire, EventFlagResources.Woken, generation + 1, _flag ? 1 : 0);
            return true;
        }
    }

    private CancellationTokenRegistration Register(CancellationToken cancellationToken) =>
        cancellationToken.CanBeCanceled
            ? cancellationToken.UnsafeRegister(static state =>
            {
                var gate = state!;
                lock (gate)
                {
                    Monitor.PulseAll(gate);
                }
            }, _gate)
            : default;
}
