using Playground.Scenarios.Recording;
using Playground.Shared.Events;

namespace Playground.Scenarios.Primitives;

/// <summary>
/// The async flavour of an unbounded FIFO queue, asyncio.Queue: a put never waits; a taker that
/// finds the queue empty records <c>wait</c> once and awaits without holding a thread. Every put
/// wakes every waiting taker and each looks again, so a wake-up is never lost to a taker that gave
/// up on cancellation.
/// </summary>
public sealed class AsyncQueue(string resource = MonitorQueue.Resource) : IAsyncItemQueue
{
    private readonly object _gate = new();
    private readonly Queue<long> _items = new();
    private readonly List<TaskCompletionSource> _takers = [];
    private readonly QueueResources _names = new(resource);

    public string ResourceName => _names.Queue;

    public int Depth
    {
        get
        {
            lock (_gate)
            {
                return _items.Count;
            }
        }
    }

    public void Put(IActorRecorder actor, long item)
    {
        PrimitiveCall.Enter(actor, EventKind.Put, _names.Queue);
        lock (_gate)
        {
            _items.Enqueue(item);
            actor.Record(EventKind.Put, _names.Queue, item, _items.Count);
            // Continuations run asynchronously, never inline under the gate.
            foreach (var taker in _takers)
            {
                taker.TrySetResult();
            }

            _takers.Clear();
        }
    }

    public async ValueTask<long> GetAsync(IActorRecorder actor, CancellationToken cancellationToken)
    {
        PrimitiveCall.Enter(actor, EventKind.Get, _names.Queue);
        var waited = false;
        while (true)
        {
            TaskCompletionSource woken;
            lock (_gate)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (_items.Count > 0)
                {
                    var item = _items.Dequeue();
                    actor.Record(EventKind.Get, _names.Queue, item, _items.Count);
                    return item;
                }

                if (!waited)
                {
                    actor.Record(EventKind.Wait, _names.Empty, 0, 0);
                    waited = true;
                }

                woken = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                _takers.Add(woken);
            }

            await woken.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }
}
