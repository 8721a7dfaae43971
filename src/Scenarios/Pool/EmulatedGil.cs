using System.Diagnostics;
using Playground.Scenarios.Primitives;
using Playground.Scenarios.Recording;
using Playground.Shared.Events;

namespace Playground.Scenarios.Pool;

/// <summary>
/// An emulated global interpreter lock, CPython's GIL: one holder at a time among the workers of
/// one process. CPU-bound task code holds it; a sleep does not. When another worker has waited for
/// it a whole switch interval (5 ms), the holder hands it over at its next look-up and queues
/// behind — CPython's forced switching — so waiting workers get it first come, first served and
/// the holder cannot simply take it back. Threads wait blocked, tasks await; one queue serves both.
/// </summary>
/// <remarks>
/// Events, all on resource <see cref="Resource"/> with the task's number: <c>acquire</c> and
/// <c>release</c> around each stretch of computing, <c>wait</c> only when a worker really blocks.
/// A stretch that nobody contends records two events however long it lasts, so a run records a
/// few events per task and per hand-over, not per step of work.
/// </remarks>
public sealed class EmulatedGil
{
    public const string Resource = "gil";

    private static readonly long SwitchTicks = (long)(CpuWork.SwitchIntervalSeconds * Stopwatch.Frequency);

    private readonly object _gate = new();
    private readonly LinkedList<TaskCompletionSource> _waiters = new();
    private bool _held;

    // When the longest-waiting worker began to wait (0: nobody waits); read without the gate by the holder.
    private long _oldestWaitSince;

    /// <summary>How many times the GIL passed from one worker straight to a waiting one.</summary>
    public long HandOvers { get; private set; }

    /// <summary>True when a worker has waited a whole switch interval: the holder should let go.</summary>
    public bool HandOverDue
    {
        get
        {
            var since = Volatile.Read(ref _oldestWaitSince);
            return since != 0 && Stopwatch.GetTimestamp() - since >= SwitchTicks;
        }
    }

    /// <summary>Takes the GIL, blocking the thread while another worker holds it.</summary>
    public void Acquire(IActorRecorder actor, long task, CancellationToken cancellationToken)
    {
        var waiter = Enter(actor, task);
        if (waiter is null)
        {
            return;
        }

        try
        {
            waiter.Value.Task.Wait(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            Abandon(waiter);
            throw;
        }

        actor.Record(EventKind.Acquire, Resource, task);
    }

    /// <summary>Takes the GIL, awaiting without a thread while another worker holds it.</summary>
    public async ValueTask AcquireAsync(IActorRecorder actor, long task, CancellationToken cancellationToken)
    {
        var waiter = Enter(actor, task);
        if (waiter is null)
        {
            return;
        }

        try
        {
            await waiter.Value.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            Abandon(waiter);
            throw;
        }

        actor.Record(EventKind.Acquire, Resource, task);
    }

    /// <summary>Lets go of the GIL; the longest-waiting worker, if any, holds it from now on.</summary>
    public void Release(IActorRecorder actor, long task)
    {
        PrimitiveCall.Enter(actor, EventKind.Release, Resource);
        lock (_gate)
        {
            if (!_held)
            {
                throw new InvalidOperationException("release of a GIL that is not held");
            }

            actor.Record(EventKind.Release, Resource, task);
            PassOn();
        }
    }

    /// <summary>Null when the GIL was free and is now the caller's; else the caller's place in the queue.</summary>
    private LinkedListNode<TaskCompletionSource>? Enter(IActorRecorder actor, long task)
    {
        PrimitiveCall.Enter(actor, EventKind.Acquire, Resource);
        lock (_gate)
        {
            if (!_held)
            {
                _held = true;
                actor.Record(EventKind.Acquire, Resource, task);
                return null;
            }

            actor.Record(EventKind.Wait, Resource, task);
            var node = _waiters.AddLast(new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
            if (_waiters.Count == 1)
            {
                Volatile.Write(ref _oldestWaitSince, Stopwatch.GetTimestamp());
            }

            return node;
        }
    }

    /// <summary>Under the gate: hands the GIL to the first waiter (it stays held), or frees it.</summary>
    private void PassOn()
    {
        if (_waiters.First is { } next)
        {
            _waiters.RemoveFirst();
            Volatile.Write(ref _oldestWaitSince, _waiters.Count > 0 ? Stopwatch.GetTimestamp() : 0);
            HandOvers++;
            next.Value.TrySetResult();
            return;
        }

        _held = false;
        Volatile.Write(ref _oldestWaitSince, 0);
    }

    /// <summary>A waiter gave up: leave the queue, or, if the GIL was handed over meanwhile, pass it on.</summary>
    private void Abandon(LinkedListNode<TaskCompletionSource> waiter)
    {
        lock (_gate)
        {
            if (waiter.List is not null)
            {
                var first = _waiters.First == waiter;
                _waiters.Remove(waiter);
                if (first)
                {
                    Volatile.Write(ref _oldestWaitSince, _waiters.Count > 0 ? Stopwatch.GetTimestamp() : 0);
                }

                return;
            }

            PassOn();
        }
    }
}
