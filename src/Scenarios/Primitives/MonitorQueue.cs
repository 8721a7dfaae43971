using System.Diagnostics;
using Playground.Scenarios.Recording;
using Playground.Shared.Events;

namespace Playground.Scenarios.Primitives;

/// <summary>
/// The threads flavour of <see cref="IItemQueue"/>: a lock-guarded buffer in FIFO, LIFO or
/// priority order, like Python's queue.Queue, LifoQueue and PriorityQueue. Each operation passes
/// <see cref="PrimitiveCall.Enter"/> before it takes the lock, so an actor held there holds nothing.
/// </summary>
/// <remarks>
/// <para>
/// Where Python's queue keeps one condition for everyone and a put or get notifies it, here the
/// producers waiting for room and the consumers waiting for an item queue up apart, longest waiter
/// first, and a waiter is woken only once what it waits for is set aside for it: a put that finds
/// consumers waiting promises its item to the first of them, a get that finds producers waiting
/// promises the slot it freed. Newcomers never take what is promised, so a woken waiter always
/// proceeds; one that is cancelled instead passes its promise on to the next waiter.
/// </para>
/// <para>
/// A caller that finds the queue full (or empty) first spins for a while (at most 50 µs, less when
/// spinning has not paid lately), looking at the queue now and then: it is running, and records
/// nothing. Only if it then really blocks does it record <c>wait</c>, and it sleeps in
/// <see cref="Monitor.Wait(object)"/> on a waiter object of its own thread until a promise or its
/// token's cancellation pulses it.
/// </para>
/// </remarks>
public sealed class MonitorQueue : IItemQueue
{
    public const string Resource = "queue";
    public const string FullResource = "queue:full";
    public const string EmptyResource = "queue:empty";
    public const string JoinResource = "queue:join";

    private readonly QueueKind _kind;
    // How long a spinning caller leaves the queue alone between two looks.
    private readonly long _lookTicks;
    // A FIFO queue's items: a ring that doubles when an unbounded queue outgrows it.
    private long[] _ring = new long[4];
    private int _ringHead;
    private readonly Stack<long> _lifo = new();
    private readonly PriorityQueue<long, (long Priority, long Sequence)> _priority = new();
    private long _sequence;
    // The queue's own lock, a word among the fields it guards (the runtime orders an object's
    // fields, mostly by size): taking it tends to bring their cache line along, where a lock object
    // of its own would be one more line to pass between cores.
    private int _held;
    private int _depth;
    private int _maxDepth;
    private long _unfinished;
    // Items in the buffer set aside for woken consumers, free slots set aside for woken producers.
    private int _itemsPromised;
    private int _roomPromised;
    private readonly WaiterLine _takers = new();
    private readonly WaiterLine _putters = new();
    private readonly WaiterLine _joiners = new();
    // How long producers (put) and consumers (get) spin before they sleep.
    private SpinBudget _putSpin = SpinBudget.Initial;
    private SpinBudget _getSpin = SpinBudget.Initial;
    private long _idleWakeUps;
    private readonly QueueResources _names;

    /// <param name="resource">The name its events carry ("queue"; a run with two queues names each).</param>
    public MonitorQueue(QueueKind kind, int capacity, string resource = Resource)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(capacity);
        _kind = kind;
        Capacity = capacity;
        _lookTicks = QueueLooks.Interval(capacity);
        _names = new QueueResources(resource);
    }

    public int Capacity { get; }

    public string ResourceName => _names.Queue;

    public int MaxDepth
    {
        get
        {
            using (Hold())
            {
                return _maxDepth;
            }
        }
    }

    public int Depth
    {
        get
        {
            using (Hold())
            {
                return _depth;
            }
        }
    }

    /// <summary>
    /// Times a blocked producer or consumer woke up with nothing set aside for it and no
    /// cancellation: a wake-up for nothing, which this queue is built never to make.
    /// </summary>
    internal long IdleWakeUps => Interlocked.Read(ref _idleWakeUps);

    public bool IsEmpty(IActorRecorder actor)
    {
        PrimitiveCall.Enter(actor, EventKind.Poll, _names.Empty);
        using (Hold())
        {
            return _depth == 0;
        }
    }

    public void Put(IActorRecorder actor, long item, long priority, CancellationToken cancellationToken)
    {
        PrimitiveCall.Enter(actor, EventKind.Put, _names.Queue);
        if (TryPut(actor, item, priority, cancellationToken))
        {
            return;
        }

        while (SpinUntil(ref _putSpin, _putters, static q => q.Capacity - Volatile.Read(ref q._depth) - Volatile.Read(ref q._roomPromised) > 0))
        {
            if (TryPut(actor, item, priority, cancellationToken))
            {
                return;
            }
        }

        AfterWaiting<Putting>(actor, item, priority, cancellationToken);
    }

    public long Get(IActorRecorder actor, CancellationToken cancellationToken)
    {
        PrimitiveCall.Enter(actor, EventKind.Get, _names.Queue);
        if (TryGet(actor, cancellationToken, out var item))
        {
            return item;
        }

        while (SpinUntil(ref _getSpin, _takers, static q => Volatile.Read(ref q._depth) - Volatile.Read(ref q._itemsPromised) > 0))
        {
            if (TryGet(actor, cancellationToken, out item))
            {
                return item;
            }
        }

        return AfterWaiting<Getting>(actor, 0, 0, cancellationToken);
    }

    public bool TryGet(IActorRecorder actor, out long item)
    {
        PrimitiveCall.Enter(actor, EventKind.Get, _names.Queue);
        return TryGet(actor, CancellationToken.None, out item);
    }

    public void TaskDone(IActorRecorder actor)
    {
        PrimitiveCall.Enter(actor, EventKind.Done, _names.Queue);
        Waiter.Turn[]? joiners = null;
        using (Hold())
        {
            if (_unfinished <= 0)
            {
                throw new InvalidOperationException("task_done() called more times than there were items");
            }

            _unfinished--;
            actor.Record(EventKind.Done, _names.Queue, _unfinished, _depth);
            if (_unfinished == 0 && _joiners.Waiting > 0)
            {
                joiners = _joiners.TakeAll();
            }
        }

        if (joiners is not null)
        {
            foreach (var joiner in joiners)
            {
                joiner.Wake();
            }
        }
    }

    public void Join(IActorRecorder actor, CancellationToken cancellationToken)
    {
        PrimitiveCall.Enter(actor, EventKind.Wait, _names.Join);
        var waiter = Waiter.OfThisThread;
        Waiter.Turn turn;
        using (Hold())
        {
            if (_unfinished == 0)
            {
                return;
            }

            actor.Record(EventKind.Wait, _names.Join, _unfinished, _depth);
            turn = _joiners.Enlist(waiter);
        }

        while (true)
        {
            turn.Sleep(cancellationToken);
            using (Hold())
            {
                // As Python's join, look again once woken: items put since the count reached zero are waited for too.
                if (_unfinished == 0)
                {
                    _joiners.Remove(waiter);
                    return;
                }

                if (cancellationToken.IsCancellationRequested)
                {
                    _joiners.Remove(waiter);
                    cancellationToken.ThrowIfCancellationRequested();
                }

                if (!waiter.InLine)
                {
                    turn = _joiners.Enlist(waiter);
                }
            }
        }
    }

    /// <summary>Room for a newcomer: free slots not set aside for producers woken before it.</summary>
    private int FreeRoom => Capacity == 0 ? 1 : Capacity - _depth - _roomPromised;

    /// <summary>Items for a newcomer: those not set aside for consumers woken before it.</summary>
    private int FreeItems => _depth - _itemsPromised;

    private bool TryPut(IActorRecorder actor, long item, long priority, CancellationToken cancellationToken)
    {
        Waiter.Turn? taker;
        using (Hold())
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (FreeRoom <= 0)
            {
                return false;
            }

            taker = PutLocked(actor, item, priority);
        }

        taker?.Wake();
        return true;
    }

    private bool TryGet(IActorRecorder actor, CancellationToken cancellationToken, out long item)
    {
        Waiter.Turn? putter;
        using (Hold())
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (FreeItems <= 0)
            {
                item = 0;
                return false;
            }

            item = GetLocked(actor, out putter);
        }

        putter?.Wake();
        return true;
    }

    /// <summary>
    /// Spins, running and recording nothing, until <paramref name="ready"/> says a newcomer would
    /// find what it needs (true), or gives up (false) when the side's budget is spent, or when
    /// others of its side already sleep in <paramref name="line"/> (what comes is theirs): at once
    /// if they did before it began, else at its next look.
    /// </summary>
    private bool SpinUntil(ref SpinBudget budget, WaiterLine line, Func<MonitorQueue, bool> ready)
    {
        if (Volatile.Read(ref line.Waiting) > 0)
        {
            return false;
        }

        var ticks = budget.Next();
        if (ticks <= 0)
        {
            return false;
        }

        var now = Stopwatch.GetTimestamp();
        var end = now + ticks;
        while (true)
        {
            // Leaves the queue's cache line alone until the next look, pausing (never yielding:
            // the sleep that may follow is where the processor is given up, and it is recorded).
            now = QueueLooks.PauseUntil(Math.Min(now + _lookTicks, end));

            if (ready(this))
            {
                budget.Paid();
                return true;
            }

            if (now >= end || Volatile.Read(ref line.Waiting) > 0)
            {
                break;
            }
        }

        budget.Failed();
        return false;
    }

    /// <summary>
    /// A put or get that found nothing for it and did not get it by spinning: takes what has come
    /// meanwhile, else records <c>wait</c>, joins its side's line and sleeps until a slot or an
    /// item is set aside for it (or its token is cancelled, when what was set aside goes to the
    /// next in line). Returns the item got (a put returns its own).
    /// </summary>
    private long AfterWaiting<TSide>(IActorRecorder actor, long item, long priority, CancellationToken cancellationToken)
        where TSide : struct, IWaitingSide
    {
        var waiter = Waiter.OfThisThread;
        var turn = default(Waiter.Turn);
        Waiter.Turn? wake = null;
        var waiting = false;
        using (Hold())
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (TSide.Ready(this))
            {
                item = TSide.Act(this, actor, item, priority, out wake);
            }
            else
            {
                TSide.RecordWait(this, actor, item);
                turn = TSide.Line(this).Enlist(waiter);
                waiting = true;
            }
        }

        while (waiting)
        {
            var woken = turn.Sleep(cancellationToken);
            using (Hold())
            {
                if (waiter.Promised)
                {
                    waiter.Promised = false;
                    TSide.Promised(this)--;
                    if (cancellationToken.IsCancellationRequested)
                    {
                        // What was set aside for this waiter goes to the next one in line.
                        wake = TSide.PromiseToNext(this);
                    }
                    else
                    {
                        item = TSide.Act(this, actor, item, priority, out wake);
                        waiting = false;
                    }
                }
                else if (woken)
                {
                    Interlocked.Increment(ref _idleWakeUps);
                    turn = TSide.Line(this).Enlist(waiter);
                    continue;
                }
                else
                {
                    TSide.Line(this).Remove(waiter);
                }
            }

            if (waiting)
            {
                wake?.Wake();
                cancellationToken.ThrowIfCancellationRequested();
            }
        }

        wake?.Wake();
        return item;
    }

    /// <summary>What <see cref="AfterWaiting"/> needs of one side: producers wait for room, consumers for an item.</summary>
    private interface IWaitingSide
    {
        /// <summary>Where this side's sleepers wait.</summary>
        static abstract WaiterLine Line(MonitorQueue queue);

        /// <summary>How many slots (or items) are set aside for this side's woken waiters.</summary>
        static abstract ref int Promised(MonitorQueue queue);

        /// <summary>Under the lock: a newcomer of this side would proceed.</summary>
        static abstract bool Ready(MonitorQueue queue);

        static abstract void RecordWait(MonitorQueue queue, IActorRecorder actor, long item);

        /// <summary>Under the lock: sets what a cancelled waiter leaves aside for the next in line.</summary>
        static abstract Waiter.Turn? PromiseToNext(MonitorQueue queue);

        /// <summary>Under the lock: the put or get itself; returns the item, and the waiter of the other side to wake.</summary>
        static abstract long Act(MonitorQueue queue, IActorRecorder actor, long item, long priority, out Waiter.Turn? wake);
    }

    private readonly struct Putting : IWaitingSide
    {
        public static WaiterLine Line(MonitorQueue queue) => queue._putters;

        public static ref int Promised(MonitorQueue queue) => ref queue._roomPromised;

        public static bool Ready(MonitorQueue queue) => queue.FreeRoom > 0;

        public static void RecordWait(MonitorQueue queue, IActorRecorder actor, long item) =>
            actor.Record(EventKind.Wait, queue._names.Full, item, queue._depth);

        public static Waiter.Turn? PromiseToNext(MonitorQueue queue) => queue.PromiseRoom();

        public static long Act(MonitorQueue queue, IActorRecorder actor, long item, long priority, out Waiter.Turn? wake)
        {
            wake = queue.PutLocked(actor, item, priority);
            return item;
        }
    }

    private readonly struct Getting : IWaitingSide
    {
        public static WaiterLine Line(MonitorQueue queue) => queue._takers;

        public static ref int Promised(MonitorQueue queue) => ref queue._itemsPromised;

        public static bool Ready(MonitorQueue queue) => queue.FreeItems > 0;

        public static void RecordWait(MonitorQueue queue, IActorRecorder actor, long item) =>
            actor.Record(EventKind.Wait, queue._names.Empty, 0, 0);

        public static Waiter.Turn? PromiseToNext(MonitorQueue queue) => queue.PromiseItem();

        public static long Act(MonitorQueue queue, IActorRecorder actor, long item, long priority, out Waiter.Turn? wake) =>
            queue.GetLocked(actor, out wake);
    }

    /// <summary>Puts and records under the lock; returns the consumer to wake, if the item is set aside for one.</summary>
    private Waiter.Turn? PutLocked(IActorRecorder actor, long item, long priority)
    {
        Enqueue(item, priority);
        _unfinished++;
        actor.Record(EventKind.Put, _names.Queue, item, _depth);
        return PromiseItem();
    }

    /// <summary>Takes and records under the lock; <paramref name="putter"/> is the producer to wake, if the freed slot is set aside for one.</summary>
    private long GetLocked(IActorRecorder actor, out Waiter.Turn? putter)
    {
        var item = Dequeue();
        actor.Record(EventKind.Get, _names.Queue, item, _depth);
        putter = PromiseRoom();
        return item;
    }

    private Waiter.Turn? PromiseItem()
    {
        if (_takers.Waiting == 0 || FreeItems <= 0)
        {
            return null;
        }

        _itemsPromised++;
        return _takers.TakeFirst();
    }

    private Waiter.Turn? PromiseRoom()
    {
        if (_putters.Waiting == 0 || FreeRoom <= 0)
        {
            return null;
        }

        _roomPromised++;
        return _putters.TakeFirst();
    }

    private void Enqueue(long item, long priority)
    {
        switch (_kind)
        {
            case QueueKind.Fifo:
                if (_depth == _ring.Length)
                {
                    Grow();
                }

                _ring[(_ringHead + _depth) & (_ring.Length - 1)] = item;
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
        switch (_kind)
        {
            case QueueKind.Fifo:
                var item = _ring[_ringHead];
                _ringHead = (_ringHead + 1) & (_ring.Length - 1);
                return item;
            case QueueKind.Lifo:
                return _lifo.Pop();
            default:
                return _priority.Dequeue();
        }
    }

    /// <summary>Doubles the FIFO ring, its items in order from the start.</summary>
    private void Grow()
    {
        var larger = new long[_ring.Length * 2];
        for (var i = 0; i < _depth; i++)
        {
            larger[i] = _ring[(_ringHead + i) & (_ring.Length - 1)];
        }

        _ring = larger;
        _ringHead = 0;
    }

    /// <summary>How long a caller that finds the queue's lock taken spins and yields before it also sleeps.</summary>
    private static readonly long HoldSpinTicks = Stopwatch.Frequency * 50 / 1_000_000; // 50 µs

    /// <summary>
    /// Takes the queue's lock (1 = held) until the returned scope is disposed. It is held for the
    /// queue's own few dozen instructions and the recording of one event, which may wait briefly
    /// for a scenario's tally; it is taken with one atomic instruction when free and left with a
    /// plain store.
    /// </summary>
    private Scope Hold()
    {
        if (Interlocked.CompareExchange(ref _held, 1, 0) != 0)
        {
            HoldContended();
        }

        return new Scope(this);
    }

    private void HoldContended()
    {
        // A holder on another core leaves within a microsecond or so, and one that lost its core
        // gets it back once this caller yields. A holder still there after that is waiting itself
        // (on a scenario's tally, say): the caller then also sleeps a millisecond now and then,
        // so it does not keep a core busy meanwhile.
        var spinner = default(SpinWait);
        var start = Stopwatch.GetTimestamp();
        var patient = false;
        while (true)
        {
            if (patient)
            {
                spinner.SpinOnce();
            }
            else
            {
                spinner.SpinOnce(sleep1Threshold: -1);
                patient = Stopwatch.GetTimestamp() - start >= HoldSpinTicks;
            }

            if (Volatile.Read(ref _held) == 0 && Interlocked.CompareExchange(ref _held, 1, 0) == 0)
            {
                return;
            }
        }
    }

    private readonly ref struct Scope(MonitorQueue queue)
    {
        public void Dispose() => Volatile.Write(ref queue._held, 0);
    }

    /// <summary>
    /// How long one side's callers (producers or consumers) spin before they sleep, adapted to
    /// what spinning has been worth lately. A peer running on another core hands over within a
    /// look (<see cref="QueueLooks.Interval"/>, 0.3–10 µs); waking a sleeper takes tens (a
    /// thread's wake-up on a quiet machine is 15–40 µs), which the longest spin covers, so a
    /// hand-off back and forth does not fall into both sides sleeping in turn. A spin that ended well keeps the longest; one that ended in
    /// sleep halves the next, down to the shortest (a slow peer, long delays, a peer that cannot
    /// run while this one spins), and every 64th spin after failures tries the longest again,
    /// so a side that spins short learns when spinning pays once more. A hint shared by the
    /// side's callers: racy updates are fine. On one core spinning only delays the peer: none.
    /// </summary>
    private struct SpinBudget
    {
        private static readonly long Longest = Environment.ProcessorCount > 1 ? Stopwatch.Frequency * 50 / 1_000_000 : 0;
        private static readonly long Shortest = Math.Min(Longest, Math.Max(1, Stopwatch.Frequency / 1_000_000));

        private long _ticks;
        private int _failures;

        public static SpinBudget Initial => new() { _ticks = Longest };

        /// <summary>How long the next spin may last, in <see cref="Stopwatch"/> ticks.</summary>
        public readonly long Next() => (_failures & 63) == 63 ? Longest : _ticks;

        public void Paid()
        {
            // Written only when it changes: the budget shares cache lines with the queue's state,
            // which the other side is using, and a spin that pays is the common case.
            if (_ticks != Longest || _failures != 0)
            {
                _ticks = Longest;
                _failures = 0;
            }
        }

        public void Failed()
        {
            _ticks = Math.Max(Shortest, _ticks / 2);
            _failures++;
        }
    }

    /// <summary>
    /// A thread's place in a queue's lines of waiters, reused for every wait of that thread (a
    /// thread waits for one thing at a time). Each wait is a new turn, so a wake-up meant for an
    /// earlier turn that arrives late never ends a later wait. The thread sleeps in
    /// <see cref="Monitor.Wait(object)"/> on this object, which only its wakers and its token pulse.
    /// </summary>
    private sealed class Waiter
    {
        [ThreadStatic]
        private static Waiter? t_current;

        // The latest turn a waker has woken, under this object's monitor.
        private int _wokenTurn;

        // The token whose cancellation wakes this thread, registered once for all its waits:
        // registering and unregistering at every sleep would cost more than the sleep itself.
        private CancellationToken _watched;
        private CancellationTokenRegistration _nudge;

        public static Waiter OfThisThread => t_current ??= new Waiter();

        /// <summary>The turn of its current (or latest) wait; under the queue's lock.</summary>
        public int TurnNumber { get; set; }

        /// <summary>Set under the queue's lock when a slot or an item is set aside for this waiter.</summary>
        public bool Promised { get; set; }

        /// <summary>Its neighbours in the line it waits in, and whether it is in one; under the queue's lock.</summary>
        public Waiter? Next { get; set; }

        public Waiter? Previous { get; set; }

        public bool InLine { get; set; }

        /// <summary>
        /// Makes sure a cancellation of <paramref name="token"/> wakes this thread. A thread keeps
        /// serving one run's token, so the registration stays for its next waits; a new token
        /// replaces it. A pulse for a token the thread no longer waits on wakes nobody.
        /// </summary>
        private void Watch(CancellationToken token)
        {
            if (!token.CanBeCanceled || token == _watched)
            {
                return;
            }

            _nudge.Dispose();
            _watched = token;
            _nudge = token.UnsafeRegister(static state =>
            {
                lock (state!)
                {
                    Monitor.PulseAll(state);
                }
            }, this);
        }

        /// <summary>One wait of a waiter: what the waiter sleeps on and a waker wakes.</summary>
        public readonly record struct Turn(Waiter Waiter, int Number)
        {
            /// <summary>Wakes the waiter if it still sleeps in this turn.</summary>
            public void Wake()
            {
                lock (Waiter)
                {
                    if (Waiter._wokenTurn < Number)
                    {
                        Waiter._wokenTurn = Number;
                        Monitor.Pulse(Waiter);
                    }
                }
            }

            /// <summary>Sleeps until woken in this turn (true) or until the token is cancelled (false).</summary>
            public bool Sleep(CancellationToken cancellationToken)
            {
                Waiter.Watch(cancellationToken);
                lock (Waiter)
                {
                    while (Waiter._wokenTurn < Number)
                    {
                        if (cancellationToken.IsCancellationRequested)
                        {
                            return false;
                        }

                        Monitor.Wait(Waiter);
                    }

                    return true;
                }
            }
        }
    }

    /// <summary>Waiters in the order they began waiting, kept under the queue's lock.</summary>
    private sealed class WaiterLine
    {
        private Waiter? _first;
        private Waiter? _last;

        /// <summary>How many wait: written under the queue's lock, also read without it by spinners.</summary>
        public int Waiting;

        /// <summary>Puts <paramref name="waiter"/> last in line for a new turn.</summary>
        public Waiter.Turn Enlist(Waiter waiter)
        {
            waiter.TurnNumber++;
            waiter.Previous = _last;
            waiter.Next = null;
            if (_last is null)
            {
                _first = waiter;
            }
            else
            {
                _last.Next = waiter;
            }

            _last = waiter;
            waiter.InLine = true;
            Volatile.Write(ref Waiting, Waiting + 1);
            return new Waiter.Turn(waiter, waiter.TurnNumber);
        }

        /// <summary>Takes the longest waiter out of line, marked promised: the caller has set something aside for it.</summary>
        public Waiter.Turn TakeFirst()
        {
            var first = _first!;
            Remove(first);
            first.Promised = true;
            return new Waiter.Turn(first, first.TurnNumber);
        }

        /// <summary>Takes everyone out of line.</summary>
        public Waiter.Turn[] TakeAll()
        {
            var all = new Waiter.Turn[Waiting];
            for (var i = 0; i < all.Length; i++)
            {
                var first = _first!;
                Remove(first);
                all[i] = new Waiter.Turn(first, first.TurnNumber);
            }

            return all;
        }

        /// <summary>Takes <paramref name="waiter"/> out of this line if it is still in it.</summary>
        public void Remove(Waiter waiter)
        {
            if (!waiter.InLine)
            {
                return;
            }

            if (waiter.Previous is null)
            {
                _first = waiter.Next;
            }
            else
            {
                waiter.Previous.Next = waiter.Next;
            }

            if (waiter.Next is null)
            {
                _last = waiter.Previous;
            }
            else
            {
                waiter.Next.Previous = waiter.Previous;
            }

            waiter.Next = waiter.Previous = null;
            waiter.InLine = false;
            Volatile.Write(ref Waiting, Waiting - 1);
        }
    }
}

/// <summary>The resource names a queue's events carry: "queue", "queue:full", "queue:empty", "queue:join" for a queue named "queue".</summary>
internal sealed record QueueResources(string Queue)
{
    public string Full { get; } = Queue + ":full";

    public string Empty { get; } = Queue + ":empty";

    public string Join { get; } = Queue + ":join";
}
