using Playground.Scenarios.Recording;
using Playground.Shared.Events;

namespace Playground.Scenarios.Primitives;

/// <summary>
/// The threads flavour of <see cref="IItemQueue"/>: a <see cref="Monitor"/>-guarded buffer in
/// FIFO, LIFO or priority order, like Python's queue.Queue, LifoQueue and PriorityQueue.
/// Blocked callers sleep in <see cref="Monitor.Wait(object)"/>; cancellation pulses them awake.
/// Each operation passes <see cref="PrimitiveCall.Enter"/> before it takes the monitor, so an
/// actor held there holds nothing.
/// </summary>
public sealed class MonitorQueue : IItemQueue
{
    public const string Resource = "queue";
    public const string FullResource = "queue:full";
    public const string EmptyResource = "queue:empty";
    public const string JoinResource = "queue:join";

    private readonly object _gate = new();
    private readonly QueueKind _kind;
    private readonly Queue<long> _fifo = new();
    private readonly Stack<long> _lifo = new();
    private readonly PriorityQueue<long, (long Priority, long Sequence)> _priority = new();
    private long _sequence;
    private int _depth;
    private int _maxDepth;
    private long _unfinished;

    private readonly QueueResources _names;

    /// <param name="resource">The name its events carry ("queue"; a run with two queues names each).</param>
    public MonitorQueue(QueueKind kind, int capacity, string resource = Resource)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(capacity);
        _kind = kind;
        Capacity = capacity;
        _names = new QueueResources(resource);
    }

    public int Capacity { get; }

    public string ResourceName => _names.Queue;

    public int MaxDepth
    {
        get
        {
            lock (_gate)
            {
                return _maxDepth;
            }
        }
    }

    public int Depth
    {
        get
        {
            lock (_gate)
            {
                return _depth;
            }
        }
    }

    public bool IsEmpty(IActorRecorder actor)
    {
        PrimitiveCall.Enter(actor, EventKind.Poll, _names.Empty);
        lock (_gate)
        {
            return _depth == 0;
        }
    }

    public void Put(IActorRecorder actor, long item, long priority, CancellationToken cancellationToken)
    {
        PrimitiveCall.Enter(actor, EventKind.Put, _names.Queue);
        using var wake = Register(cancellationToken);
        lock (_gate)
        {
            if (IsFull)
            {
                actor.Record(EventKind.Wait, _names.Full, item, _depth);
                while (IsFull)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    Monitor.Wait(_gate);
                }
            }

            cancellationToken.ThrowIfCancellationRequested();
            Enqueue(item, priority);
            _unfinished++;
            actor.Record(EventKind.Put, _names.Queue, item, _depth);
            Monitor.PulseAll(_gate);
        }
    }

    public long Get(IActorRecorder actor, CancellationToken cancellationToken)
    {
        PrimitiveCall.Enter(actor, EventKind.Get, _names.Queue);
        using var wake = Register(cancellationToken);
        lock (_gate)
        {
            if (_depth == 0)
            {
                actor.Record(EventKind.Wait, _names.Empty, 0, 0);
                while (_depth == 0)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    Monitor.Wait(_gate);
                }
            }

            cancellationToken.ThrowIfCancellationRequested();
            var item = Dequeue();
            actor.Record(EventKind.Get, _names.Queue, item, _depth);
            Monitor.PulseAll(_gate);
            return item;
        }
    }

    public bool TryGet(IActorRecorder actor, out long item)
    {
        PrimitiveCall.Enter(actor, EventKind.Get, _names.Queue);
        lock (_gate)
        {
            if (_depth == 0)
            {
                item = 0;
                return false;
            }

            item = Dequeue();
            actor.Record(EventKind.Get, _names.Queue, item, _depth);
            Monitor.PulseAll(_gate);
            return true;
        }
    }

    public void TaskDone(IActorRecorder actor)
    {
        PrimitiveCall.Enter(actor, EventKind.Done, _names.Queue);
        lock (_gate)
        {
            if (_unfinished <= 0)
            {
                throw new InvalidOperationException("task_done() called more times than there were items");
            }

            _unfinished--;
            actor.Record(EventKind.Done, _names.Queue, _unfinished, _depth);
            if (_unfinished == 0)
            {
                Monitor.PulseAll(_gate);
            }
        }
    }

    public void Join(IActorRecorder actor, CancellationToken cancellationToken)
    {
        PrimitiveCall.Enter(actor, EventKind.Wait, _names.Join);
        using var wake = Register(cancellationToken);
        lock (_gate)
        {
            if (_unfinished > 0)
            {
                actor.Record(EventKind.Wait, _names.Join, _unfinished, _depth);
                while (_unfinished > 0)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    Monitor.Wait(_gate);
                }
            }
        }
    }

    private bool IsFull => Capacity > 0 && _depth >= Capacity;

    private void Enqueue(long item, long priority)
    {
        switch (_kind)
        {
            case QueueKind.Fifo:
                _fifo.Enqueue(item);
                break;
            case QueueKind.Lifo:
                _lifo.Push(item);
                break;
            default:
                // Ties leave in arrival order, as Python's PriorityQueue does for (priority, seq) tuples.
                _priority.Enqueue(item, (priority, _sequence++));
                break;
        }

        _depth++;
        if (_depth > _maxDepth)
        {
            _maxDepth = _depth;
        }
    }

    private long Dequeue()
    {
        _depth--;
        return _kind switch
        {
            QueueKind.Fifo => _fifo.Dequeue(),
            QueueKind.Lifo => _lifo.Pop(),
            _ => _priority.Dequeue(),
        };
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

/// <summary>The resource names a queue's events carry: "queue", "queue:full", "queue:empty", "queue:join" for a queue named "queue".</summary>
internal sealed record QueueResources(string Queue)
{
    public string Full { get; } = Queue + ":full";
    public string Empty { get; } = Queue + ":empty";
    public string Join { get; } = Queue + ":join";
}
