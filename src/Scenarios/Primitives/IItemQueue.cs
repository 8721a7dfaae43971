using Playground.Scenarios.Recording;

namespace Playground.Scenarios.Primitives;

/// <summary>Order in which items leave a queue.</summary>
public enum QueueKind
{
    Fifo,
    Lifo,
    Priority,
}

/// <summary>
/// A bounded queue of item ids that records what its callers do: <c>put</c> and <c>get</c> with
/// the depth after, and <c>wait</c> only when a caller really blocks. Thread and process flavours
/// implement it, so an actor's loop is the same code in both modes. Every operation an actor
/// calls passes through <see cref="PrimitiveCall.Enter"/> first.
/// </summary>
public interface IItemQueue
{
    /// <summary>0 = unbounded.</summary>
    int Capacity { get; }

    /// <summary>The resource its events carry ("queue", or the name a run gave it).</summary>
    string ResourceName { get; }

    /// <summary>The highest depth ever seen.</summary>
    int MaxDepth { get; }

    /// <summary>Items queued right now: a snapshot for reports and tests, not an operation of an actor.</summary>
    int Depth { get; }

    /// <summary>Python's empty(): a racy snapshot, true when no item is queued right now.</summary>
    bool IsEmpty(IActorRecorder actor);

    /// <summary>Puts an item, blocking while the queue is full. Lower priority leaves first.</summary>
    void Put(IActorRecorder actor, long item, long priority, CancellationToken cancellationToken);

    /// <summary>Takes an item, blocking while the queue is empty.</summary>
    long Get(IActorRecorder actor, CancellationToken cancellationToken);

    /// <summary>Takes an item if one is there, without blocking (get_nowait).</summary>
    bool TryGet(IActorRecorder actor, out long item);

    /// <summary>Marks one item taken earlier as processed (task_done).</summary>
    void TaskDone(IActorRecorder actor);

    /// <summary>Blocks until every item put has been marked done (join).</summary>
    void Join(IActorRecorder actor, CancellationToken cancellationToken);
}

/// <summary>
/// The async flavour of an unbounded FIFO queue of item ids, asyncio.Queue: a put never waits,
/// and a taker that finds it empty records <c>wait</c> and awaits without holding a thread.
/// </summary>
public interface IAsyncItemQueue
{
    /// <summary>The resource its events carry.</summary>
    string ResourceName { get; }

    /// <summary>Items queued right now (a snapshot).</summary>
    int Depth { get; }

    void Put(IActorRecorder actor, long item);

    ValueTask<long> GetAsync(IActorRecorder actor, CancellationToken cancellationToken);
}
