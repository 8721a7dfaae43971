using Playground.Scenarios.Recording;
using Playground.Shared.Events;

namespace Playground.Scenarios.Primitives;

/// <summary>
/// The async flavour of the event flag, like asyncio.Event: waiting tasks hold no thread. Each
/// generation (the time between two sets) has one completion source that every waiter of that
/// generation awaits; a set completes it and starts the next, so a set releases exactly the waiters
/// that were already waiting, even if the flag is cleared again before their continuations run.
/// </summary>
public sealed class AsyncEventFlag : IAsyncEventFlag
{
    private readonly object _gate = new();
    private bool _flag;
    private long _generation;
    private long _waiters;
    private TaskCompletionSource? _nextSet;

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
        TaskCompletionSource? released;
        lock (_gate)
        {
            actor.Record(EventKind.Set, Resource, _waiters, 1);
            _waiters = 0;
            _flag = true;
            _generation++;
            released = _nextSet;
            _nextSet = null;
        }

        // Continuations run asynchronously: the setter never runs a waiter's code on its own stack.
        released?.TrySetResult();
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

    public async ValueTask<bool> WaitAsync(IActorRecorder actor, TimeSpan? timeout, CancellationToken cancellationToken)
    {
        PrimitiveCall.Enter(actor, EventKind.Wait, Resource);
        cancellationToken.ThrowIfCancellationRequested();
        Task nextSet;
        long generation;
        lock (_gate)
        {
            if (_flag)
            {
                actor.Record(EventKind.Acquire, EventFlagResources.Up, 0, 1);
                return true;
            }

            generation = _generation;
            _waiters++;
            actor.Record(EventKind.Wait, Resource, _waiters, 0);
            _nextSet ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            nextSet = _nextSet.Task;
        }

        try
        {
            await nextSet.WaitAsync(timeout ?? Timeout.InfiniteTimeSpan, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is TimeoutException or OperationCanceledException)
        {
            lock (_gate)
            {
                // A set that came in meanwhile has released this waiter already: it passes.
                if (_generation == generation)
                {
                    // Off the count, so the next set does not count a waiter that left.
                    _waiters--;
                    if (ex is OperationCanceledException)
                    {
                        throw;
                    }

                    actor.Record(EventKind.Poll, EventFlagResources.TimedOut, 0, 0);
                    return false;
                }
            }
        }

        lock (_gate)
        {
            actor.Record(EventKind.Acquire, EventFlagResources.Woken, generation + 1, _flag ? 1 : 0);
        }

        return true;
    }
}
