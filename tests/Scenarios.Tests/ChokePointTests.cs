using System.Collections.Concurrent;
using Playground.Scenarios.Primitives;
using Playground.Scenarios.Recording;
using Playground.Shared.Events;

namespace Playground.Scenarios.Tests;

/// <summary>Notes every pass through <see cref="PrimitiveCall.Enter"/> and every event, in order.</summary>
internal sealed class EnterRecorder(int actor = 0) : IActorRecorder
{
    private readonly ConcurrentQueue<(bool Enter, EventKind Kind, string? Resource)> _seen = new();

    public int Actor { get; } = actor;

    public IReadOnlyList<(bool Enter, EventKind Kind, string? Resource)> Seen => [.. _seen];

    public int Enters => _seen.Count(s => s.Enter);

    public void Record(EventKind kind, string? resource = null, long value = 0, long level = -1) => _seen.Enqueue((false, kind, resource));

    public void BeforeOperation(EventKind operation, string resource) => _seen.Enqueue((true, operation, resource));
}

public sealed class ChokePointTests
{
    [Fact]
    public void Every_operation_of_the_monitor_queue_passes_the_choke_point_before_it_records()
    {
        var queue = new MonitorQueue(QueueKind.Fifo, 2);
        var actor = new EnterRecorder();

        queue.Put(actor, 1, 0, CancellationToken.None);
        Assert.False(queue.IsEmpty(actor));
        Assert.Equal(1, queue.Get(actor, CancellationToken.None));
        Assert.False(queue.TryGet(actor, out _));
        queue.TaskDone(actor);
        queue.Join(actor, CancellationToken.None);

        Assert.Equal(
            [
                (true, EventKind.Put, "queue"), (false, EventKind.Put, "queue"),
                (true, EventKind.Poll, "queue:empty"),
                (true, EventKind.Get, "queue"), (false, EventKind.Get, "queue"),
                (true, EventKind.Get, "queue"),
                (true, EventKind.Done, "queue"), (false, EventKind.Done, "queue"),
                (true, EventKind.Wait, "queue:join"),
            ],
            actor.Seen);
    }

    [Fact]
    public void Every_operation_of_the_thread_lock_passes_the_choke_point_before_it_records()
    {
        var gate = new MonitorLock("basket");
        var actor = new EnterRecorder();

        gate.Acquire(actor, CancellationToken.None);
        gate.Release(actor);

        Assert.Equal(
            [(true, EventKind.Acquire, "basket"), (false, EventKind.Acquire, "basket"), (true, EventKind.Release, "basket"), (false, EventKind.Release, "basket")],
            actor.Seen);
    }

    [Fact]
    public async Task Every_operation_of_the_async_lock_passes_the_choke_point_before_it_records()
    {
        using var gate = new AsyncLock("basket");
        var actor = new EnterRecorder();

        await gate.AcquireAsync(actor, CancellationToken.None);
        gate.Release(actor);

        Assert.Equal(
            [(true, EventKind.Acquire, "basket"), (false, EventKind.Acquire, "basket"), (true, EventKind.Release, "basket"), (false, EventKind.Release, "basket")],
            actor.Seen);
    }

    public static TheoryData<string> SemaphoreFlavours() => new() { "threads", "async" };

    [Theory]
    [MemberData(nameof(SemaphoreFlavours))]
    public async Task Every_operation_of_an_in_process_semaphore_passes_the_choke_point_before_it_records(string flavour)
    {
        var actor = new EnterRecorder();
        Func<ValueTask> acquire;
        Action release;
        if (flavour == "threads")
        {
            var lot = new MonitorSemaphore("lot", 1, SemaphoreKind.Bounded);
            acquire = () =>
            {
                lot.Acquire(actor, CancellationToken.None);
                return ValueTask.CompletedTask;
            };
            release = () => lot.Release(actor);
        }
        else
        {
            var lot = new AsyncSemaphore("lot", 1, SemaphoreKind.Bounded);
            acquire = () => lot.AcquireAsync(actor, CancellationToken.None);
            release = () => lot.Release(actor);
        }

        await acquire();
        release();
        Assert.Throws<SemaphoreOverReleasedException>(release);

        Assert.Equal(
            [
                (true, EventKind.Acquire, "lot"), (false, EventKind.Acquire, "lot"),
                (true, EventKind.Release, "lot"), (false, EventKind.Release, "lot"),
                (true, EventKind.Release, "lot"), (false, EventKind.Error, "lot"),
            ],
            actor.Seen);
    }
}
