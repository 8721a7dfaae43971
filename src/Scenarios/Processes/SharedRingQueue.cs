using Playground.Scenarios.Primitives;
using Playground.Scenarios.Recording;
using Playground.Shared.Events;

namespace Playground.Scenarios.Processes;

/// <summary>
/// The processes flavour of <see cref="IItemQueue"/>: item slots in a memory-mapped file under
/// /dev/shm with a header that holds everything the processes share — the count, a mutex
/// (<see cref="SharedMutex"/>), and two futex words a getter sleeps on while the queue is empty
/// and a putter while it is full, with the number of sleepers on each. It is a monitor in shared
/// memory: an operation takes the mutex once, and a wake-up system call is made only when someone
/// sleeps, so a put or a get costs a few atomic instructions on one cache line. A put or get that
/// did wake a sleeper gives it its core if the caller goes to sleep right after
/// (<see cref="Futex.WakeOneOwingCore"/>), so the woken side runs at once. A caller that
/// finds no item (or no room) spins and yields for up to 200 µs first (<see cref="SharedSpin"/>)
/// and is recorded as waiting only when it really goes to sleep in the kernel. FIFO is a ring,
/// LIFO a stack, priority a binary heap, all inside the shared slots. join() sleeps on a
/// generation word of the header (a futex) that each all-done advances. The header also holds the
/// <see cref="ICountdown"/> of the parties still putting. Every operation passes
/// <see cref="PrimitiveCall.Enter"/> before it takes anything.
/// </summary>
public sealed unsafe class SharedRingQueue : IItemQueue, ICountdown, IDisposable
{
    private const long Magic = 0x51_55_45_55_45_50_47; // "PGQUEUE"
    private const int HeaderBytes = 128;
    private const int SlotBytes = 24;

    // Header fields (longs). FAllDone counts the moments unfinished fell to zero; join() sleeps on its low 32 bits.
    private const int FMagic = 0, FSlots = 1, FKind = 2, FHead = 3, FCount = 4, FMaxDepth = 5, FUnfinished = 6,
        FSequence = 7, FPartiesLeft = 8, FAllDone = 9, FCapacity = 10, FMutex = 11,
        FNotEmpty = 12, FNotFull = 13, FGetSleepers = 14, FPutSleepers = 15;

    private readonly SharedMapping _mapping;
    private readonly long* _header;
    private readonly long* _slots;
    private readonly QueueKind _kind;
    private readonly int _slotCount;
    // How long a spinning put or get leaves the queue alone between two looks.
    private readonly long _lookTicks;
    private int _disposed;

    private readonly QueueResources _resources;

    private SharedRingQueue(SharedQueueNames names, SharedMapping mapping, string resource)
    {
        Names = names;
        _resources = new QueueResources(resource);
        _mapping = mapping;
        var p = mapping.Pointer;
        _header = (long*)p;
        _slots = (long*)(p + HeaderBytes);
        if (_header[FMagic] != Magic)
        {
            throw new InvalidDataException($"{names.MemoryPath} is not a shared queue");
        }

        _kind = (QueueKind)_header[FKind];
        _slotCount = (int)_header[FSlots];
        Capacity = (int)_header[FCapacity];
        _lookTicks = QueueLooks.Interval(Capacity);
    }

    public SharedQueueNames Names { get; }

    /// <summary>The name its events carry ("queue"); every process that opens it passes the same.</summary>
    public string ResourceName => _resources.Queue;

    /// <summary>0 = unbounded (the ring then has room for every item the run will make).</summary>
    public int Capacity { get; }

    public int MaxDepth => (int)Volatile.Read(ref _header[FMaxDepth]);

    /// <summary>Items queued right now (a snapshot).</summary>
    public int Depth => (int)Volatile.Read(ref _header[FCount]);

    /// <summary>
    /// Creates the shared file and semaphores of a new queue. <paramref name="slots"/> is the ring's
    /// size: the capacity, or for an unbounded queue the most items that can ever be in it.
    /// <paramref name="parties"/> starts the countdown of those still putting (the producers);
    /// <paramref name="resource"/> is the name its events carry.
    /// </summary>
    public static SharedRingQueue Create(SharedQueueNames names, QueueKind kind, int capacity, int slots, int parties, string resource = MonitorQueue.Resource)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(slots, 1);
        var bytes = HeaderBytes + ((long)slots * SlotBytes);
        SharedMapping? mapping = null;
        try
        {
            mapping = SharedMapping.Create(names.MemoryPath, bytes);
            var header = (long*)mapping.Pointer;
            header[FSlots] = slots;
            header[FKind] = (long)kind;
            header[FCapacity] = capacity;
            header[FPartiesLeft] = parties;
            Volatile.Write(ref header[FMagic], Magic);
            return new SharedRingQueue(names, mapping, resource);
        }
        catch
        {
            // Remove only what this call made: a file that already existed belongs to someone else.
            if (mapping is not null)
            {
                mapping.Dispose();
                File.Delete(names.MemoryPath);
            }

            throw;
        }
    }

    /// <summary>Opens a queue another process created (a child opening the run's queue).</summary>
    public static SharedRingQueue Open(SharedQueueNames names, string resource = MonitorQueue.Resource)
    {
        return new SharedRingQueue(names, SharedMapping.Open(names.MemoryPath), resource);
    }

    public bool IsEmpty(IActorRecorder actor)
    {
        PrimitiveCall.Enter(actor, EventKind.Poll, _resources.Empty);
        Lock();
        try
        {
            return _header[FCount] == 0;
        }
        finally
        {
            Unlock();
        }
    }

    public void Put(IActorRecorder actor, long item, long priority, CancellationToken cancellationToken)
    {
        PrimitiveCall.Enter(actor, EventKind.Put, _resources.Queue);
        Lock();
        if (_header[FCount] >= _slotCount)
        {
            Unlock();
            SharedSpin.Until(this, static q => q.Depth < q._slotCount, _lookTicks);
            Lock();
            if (_header[FCount] >= _slotCount)
            {
                // Recorded under the mutex: the level lands in the same order as the puts' and gets'.
                actor.Record(EventKind.Wait, _resources.Full, item, _header[FCount]);
                SleepWhile(static q => q._header[FCount] >= q._slotCount, FNotFull, FPutSleepers, cancellationToken);
            }
        }

        bool wake;
        try
        {
            Insert(item, priority);
            _header[FUnfinished]++;
            actor.Record(EventKind.Put, _resources.Queue, item, _header[FCount]);
            wake = Signal(FNotEmpty, FGetSleepers);
        }
        finally
        {
            Unlock();
        }

        if (wake)
        {
            Futex.WakeOneOwingCore(Word(FNotEmpty));
        }
    }

    public long Get(IActorRecorder actor, CancellationToken cancellationToken)
    {
        PrimitiveCall.Enter(actor, EventKind.Get, _resources.Queue);
        Lock();
        if (_header[FCount] == 0)
        {
            Unlock();
            SharedSpin.Until(this, static q => q.Depth > 0, _lookTicks);
            Lock();
            if (_header[FCount] == 0)
            {
                actor.Record(EventKind.Wait, _resources.Empty, 0, _header[FCount]);
                SleepWhile(static q => q._header[FCount] == 0, FNotEmpty, FGetSleepers, cancellationToken);
            }
        }

        return TakeHeld(actor);
    }

    public bool TryGet(IActorRecorder actor, out long item)
    {
        PrimitiveCall.Enter(actor, EventKind.Get, _resources.Queue);
        Lock();
        if (_header[FCount] == 0)
        {
            Unlock();
            item = 0;
            return false;
        }

        item = TakeHeld(actor);
        return true;
    }

    /// <summary>
    /// Called with the mutex held while <paramref name="blocked"/> holds: sleeps in the kernel on the
    /// futex word <paramref name="word"/> (counted among its <paramref name="sleepers"/>) until it no
    /// longer holds, and returns with the mutex held again. A wake-up another caller took first
    /// only means sleeping again. A cancelled sleeper leaves without the mutex, handing on a wake-up
    /// it may have been given to the next sleeper.
    /// </summary>
    private void SleepWhile(Func<SharedRingQueue, bool> blocked, int word, int sleepers, CancellationToken cancellationToken)
    {
        while (blocked(this))
        {
            _header[sleepers]++;
            var seen = *Word(word);
            Unlock();
            try
            {
                Futex.WaitWhileEqual(Word(word), seen, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                Lock();
                _header[sleepers]--;
                var handOn = !blocked(this) && Signal(word, sleepers);
                Unlock();
                if (handOn)
                {
                    Futex.WakeOne(Word(word));
                }

                throw;
            }

            Lock();
            _header[sleepers]--;
        }
    }

    /// <summary>With the mutex held: advances <paramref name="word"/> when someone sleeps on it; true when they need waking.</summary>
    private bool Signal(int word, int sleepers)
    {
        if (_header[sleepers] == 0)
        {
            return false;
        }

        var w = Word(word);
        Volatile.Write(ref *w, unchecked(*w + 1));
        return true;
    }

    // The low half of a header long on little-endian machines (x64, arm64): a futex word is 32 bits.
    private int* Word(int field) => (int*)&_header[field];

    public void TaskDone(IActorRecorder actor)
    {
        PrimitiveCall.Enter(actor, EventKind.Done, _resources.Queue);
        var allDone = false;
        Lock();
        try
        {
            if (_header[FUnfinished] <= 0)
            {
                throw new InvalidOperationException("task_done() called more times than there were items");
            }

            var left = --_header[FUnfinished];
            actor.Record(EventKind.Done, _resources.Queue, left, _header[FCount]);
            if (left == 0)
            {
                // A new generation: exactly the joiners that saw the old one pass.
                Volatile.Write(ref *AllDoneWord, unchecked(*AllDoneWord + 1));
                allDone = true;
            }
        }
        finally
        {
            Unlock();
        }

        if (allDone)
        {
            Futex.WakeAll(AllDoneWord);
        }
    }

    /// <summary>
    /// Blocks until every item put has been marked done. A joiner passes on the first all-done
    /// after it began waiting, even if new items arrive before it runs again (as
    /// multiprocessing.JoinableQueue.join does), and never on an earlier one: it waits for the
    /// generation word to move past the value it read, so there is no wake-up token a later joiner
    /// could take. A cancelled joiner leaves nothing behind.
    /// </summary>
    public void Join(IActorRecorder actor, CancellationToken cancellationToken)
    {
        PrimitiveCall.Enter(actor, EventKind.Wait, _resources.Join);
        int generation;
        Lock();
        try
        {
            if (_header[FUnfinished] == 0)
            {
                return;
            }

            generation = *AllDoneWord;
            actor.Record(EventKind.Wait, _resources.Join, _header[FUnfinished], _header[FCount]);
        }
        finally
        {
            Unlock();
        }

        Futex.WaitWhileEqual(AllDoneWord, generation, cancellationToken);
    }

    /// <summary>Items put and not yet marked done (a snapshot).</summary>
    public long Unfinished => Volatile.Read(ref _header[FUnfinished]);

    /// <summary>True once every party of the countdown (every producer) has signalled.</summary>
    public bool IsZero => Volatile.Read(ref _header[FPartiesLeft]) <= 0;

    public bool Signal() => Interlocked.Decrement(ref _header[FPartiesLeft]) == 0;

    private int* AllDoneWord => Word(FAllDone);

    /// <summary>Takes the next item, with the mutex held and at least one item queued; releases the mutex.</summary>
    private long TakeHeld(IActorRecorder actor)
    {
        long item;
        bool wake;
        try
        {
            item = Remove();
            actor.Record(EventKind.Get, _resources.Queue, item, _header[FCount]);
            wake = Signal(FNotFull, FPutSleepers);
        }
        finally
        {
            Unlock();
        }

        if (wake)
        {
            Futex.WakeOneOwingCore(Word(FNotFull));
        }

        return item;
    }

    // The mutex is held by at most one process for a few instructions; it is never cancelled.
    private void Lock() => SharedMutex.Enter(Word(FMutex));

    private void Unlock() => SharedMutex.Exit(Word(FMutex));

    private void Insert(long item, long priority)
    {
        var count = _header[FCount];
        if (count >= _slotCount)
        {
            throw new InvalidOperationException("shared queue overflow");
        }

        var seq = _header[FSequence]++;
        switch (_kind)
        {
            case QueueKind.Fifo:
                SetSlot((_header[FHead] + count) % _slotCount, item, priority, seq);
                break;
            case QueueKind.Lifo:
                SetSlot(count, item, priority, seq);
                break;
            default:
                // Sift up in a binary min-heap ordered by (priority, arrival).
                var i = count;
                while (i > 0)
                {
                    var parent = (i - 1) / 2;
                    if (!Less(priority, seq, Slot(parent)[1], Slot(parent)[2]))
                    {
                        break;
                    }

                    CopySlot(parent, i);
                    i = parent;
                }

                SetSlot(i, item, priority, seq);
                break;
        }

        count++;
        _header[FCount] = count;
        if (count > _header[FMaxDepth])
        {
            _header[FMaxDepth] = count;
        }
    }

    private long Remove()
    {
        var count = _header[FCount];
        if (count <= 0)
        {
            throw new InvalidOperationException("shared queue underflow");
        }

        long item;
        switch (_kind)
        {
            case QueueKind.Fifo:
                var head = _header[FHead];
                item = Slot(head)[0];
                _header[FHead] = (head + 1) % _slotCount;
                break;
            case QueueKind.Lifo:
                item = Slot(count - 1)[0];
                break;
            default:
                item = Slot(0)[0];
                var last = count - 1;
                var (li, lp, ls) = (Slot(last)[0], Slot(last)[1], Slot(last)[2]);
                long i = 0;
                while (true)
                {
                    var child = (2 * i) + 1;
                    if (child >= last)
                    {
                        break;
                    }

                    if (child + 1 < last && Less(Slot(child + 1)[1], Slot(child + 1)[2], Slot(child)[1], Slot(child)[2]))
                    {
                        child++;
                    }

                    if (!Less(Slot(child)[1], Slot(child)[2], lp, ls))
                    {
                        break;
                    }

                    CopySlot(child, i);
                    i = child;
                }

                if (last > 0)
                {
                    SetSlot(i, li, lp, ls);
                }

                break;
        }

        _header[FCount] = count - 1;
        return item;
    }

    private static bool Less(long p1, long s1, long p2, long s2) => p1 < p2 || (p1 == p2 && s1 < s2);

    private long* Slot(long index) => _slots + (index * 3);

    private void SetSlot(long index, long item, long priority, long seq)
    {
        var s = Slot(index);
        s[0] = item;
        s[1] = priority;
        s[2] = seq;
    }

    private void CopySlot(long from, long to)
    {
        var f = Slot(from);
        var t = Slot(to);
        t[0] = f[0];
        t[1] = f[1];
        t[2] = f[2];
    }

    /// <summary>Unmaps and closes this process's handles; the names stay until the owner unlinks them.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _mapping.Dispose();
    }
}

/// <summary>The name of one run's shared queue: a /dev/shm file carrying the run id.</summary>
public sealed record SharedQueueNames(string RunId)
{
    public string Prefix => "pg-" + RunId;
    public string MemoryPath => $"/dev/shm/{Prefix}-queue";

    /// <summary>Every path in /dev/shm this queue may create.</summary>
    public IEnumerable<string> Paths => [MemoryPath];

    /// <summary>Removes the file; safe to call more than once and when it was never created.</summary>
    public void Unlink() => SharedMapping.Remove(MemoryPath);
}
