using Playground.Scenarios.Recording;
using Playground.Shared.Events;

namespace Playground.Scenarios.Primitives;

/// <summary>
/// The async flavour of <see cref="IAsyncSemaphore"/>, built like asyncio.Semaphore: a count and a
/// FIFO of waiting tasks under a lock. A waiting task holds no thread: it awaits a completion
/// source. A release with someone waiting hands its permit straight to the longest waiter (the
/// count stays 0), so waiters get in in the order they asked. The hand-off happens under the lock
/// and is recorded there as the waiter's <c>acquire</c>, so the "in use" levels follow each other
/// exactly. A cancelled waiter leaves the queue, or, if a permit reached it first, keeps it.
/// The bounded kind checks the count as asyncio.BoundedSemaphore does.
/// </summary>
public sealed class AsyncSemaphore : IAsyncSemaphore
{
    private readonly object _gate = new();
    private readonly SemaphoreHolders _holders = new();
    private readonly LinkedList<Waiter> _waiters = new();
    private int _count;

    public AsyncSemaphore(string resource, int permits, SemaphoreKind kind)
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

    /// <summary>The semaphore's value: permits free right now.</summary>
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

    /// <summary>Tasks waiting for a permit right now.</summary>
    public int Waiting
    {
        get
        {
            lock (_gate)
            {
                return _waiters.Count;
            }
        }
    }

    public ValueTask AcquireAsync(IActorRecorder actor, CancellationToken cancellationToken)
    {
        PrimitiveCall.Enter(actor, EventKind.Acquire, Resource);
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled(cancellationToken);
        }

        Waiter waiter;
        lock (_gate)
        {
            if (_count > 0)
            {
                _count--;
                actor.Record(EventKind.Acquire, Resource, _count, _holders.Add(actor.Actor));
                return ValueTask.CompletedTask;
            }

            waiter = new Waiter(actor);
            waiter.Node = _waiters.AddLast(waiter);
            actor.Record(EventKind.Wait, Resource, _count, _holders.InUse);
        }

        return new ValueTask(WaitAsync(waiter, cancellationToken));
    }

    public void Release(IActorRecorder actor)
    {
        PrimitiveCall.Enter(actor, EventKind.Release, Resource);
        Waiter? next = null;
        lock (_gate)
        {
            if (Kind == SemaphoreKind.Bounded && _count + 1 > Permits)
            {
                // The caller has left all the same: only the count refused to take its permit back.
                actor.Record(EventKind.Error, Resource, Permits, _holders.Remove(actor.Actor));
                throw new SemaphoreOverReleasedException(Resource, Permits);
            }

            var inUse = _holders.Remove(actor.Actor);
            if (_waiters.First is { } first)
            {
                next = first.Value;
                _waiters.RemoveFirst();
                next.Node = null;
                actor.Record(EventKind.Release, Resource, _count, inUse);
                next.Actor.Record(EventKind.Acquire, Resource, _count, _holders.Add(next.Actor.Actor));
            }
            else
            {
                _count++;
                actor.Record(EventKind.Release, Resource, _count, inUse);
            }
        }

        // Continuations run asynchronously: the waiter resumes on the pool, not inside this call.
        next?.TrySetResult();
    }

    private async Task WaitAsync(Waiter waiter, CancellationToken cancellationToken)
    {
        using (cancellationToken.Register(static (state, token) =>
               {
                   var (semaphore, w) = ((AsyncSemaphore, Waiter))state!;
                   semaphore.Cancel(w, token);
               }, (this, waiter)))
        {
            await waiter.Task.ConfigureAwait(false);
        }
    }

    private void Cancel(Waiter waiter, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (waiter.Node is null)
            {
                // A release already handed this waiter its permit: it keeps it.
                return;
            }

            _waiters.Remove(waiter.Node);
            waiter.Node = null;
        }

        waiter.TrySetCanceled(cancellationToken);
    }

    private sealed class Waiter(IActorRecorder actor) : TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)
    {
        public IActorRecorder Actor { get; } = actor;

        /// <summary>Its place in the queue; null once it got a permit or gave up.</summary>
        public LinkedListNode<Waiter>? Node { get; set; }
    }
}
