using Playground.Scenarios.Primitives;
using Playground.Scenarios.Recording;
using Playground.Shared.Events;

namespace Playground.Scenarios.Tests;

public sealed class MonitorQueueBlockingTests
{
    /// <summary>Waits until the actor has recorded its wait and its thread sleeps in the kernel.</summary>
    private static async Task BlockedIn(Thread thread, ActorLog log, string resource)
    {
        await TestSupport.Eventually(
            () => TestSupport.Events(log).Any(e => e.Kind == EventKind.Wait && e.Resource == resource),
            $"a wait on {resource} is recorded");
        await TestSupport.Eventually(
            () => (thread.ThreadState & ThreadState.WaitSleepJoin) != 0,
            "the thread is blocked");
    }

    [Fact(Timeout = 30_000)]
    public async Task Get_on_an_empty_queue_blocks_records_one_wait_and_is_released_by_a_put()
    {
        var queue = new MonitorQueue(QueueKind.Fifo, 2);
        using var recorder = new EventRecorder(2, 100_000);
        var consumer = recorder[0];
        var producer = recorder[1];

        var (thread, outcome) = TestSupport.StartThread(() => queue.Get(consumer, CancellationToken.None));
        await BlockedIn(thread, consumer, MonitorQueue.EmptyResource);
        // Give it every chance to return wrongly: it must still be blocked.
        await Task.Delay(50);
        Assert.False(outcome.IsCompleted, "Get returned from an empty queue");
        Assert.True(thread.IsAlive);

        queue.Put(producer, 42, 0, CancellationToken.None);
        var item = await outcome.WaitAsync(TestSupport.Deadline);

        Assert.Equal(42, item);
        var events = TestSupport.Events(consumer);
        var wait = Assert.Single(events, e => e.Kind == EventKind.Wait);
        Assert.Equal(MonitorQueue.EmptyResource, wait.Resource);
        Assert.Equal([EventKind.Wait, EventKind.Get], events.Select(e => e.Kind));
        Assert.DoesNotContain(TestSupport.Events(producer), e => e.Kind == EventKind.Wait);
    }

    [Fact]
    public void Put_into_a_queue_with_room_and_get_of_a_queued_item_record_no_wait()
    {
        var queue = new MonitorQueue(QueueKind.Fifo, 3);
        using var recorder = new EventRecorder(1, 100_000);
        var log = recorder[0];

        queue.Put(log, 1, 0, CancellationToken.None);
        queue.Put(log, 2, 0, CancellationToken.None);
        queue.Put(log, 3, 0, CancellationToken.None);
        queue.Get(log, CancellationToken.None);

        var events = TestSupport.Events(log);
        Assert.DoesNotContain(events, e => e.Kind == EventKind.Wait);
        Assert.Equal([1L, 2L, 3L, 2L], events.Select(e => e.Level));
    }

    [Fact(Timeout = 30_000)]
    public async Task Put_into_a_full_queue_blocks_records_one_wait_and_is_released_by_a_get()
    {
        var queue = new MonitorQueue(QueueKind.Fifo, 1);
        using var recorder = new EventRecorder(2, 100_000);
        var producer = recorder[0];
        var consumer = recorder[1];
        queue.Put(producer, 1, 0, CancellationToken.None);

        var (thread, outcome) = TestSupport.StartThread(() =>
        {
            queue.Put(producer, 2, 0, CancellationToken.None);
            return true;
        });
        await BlockedIn(thread, producer, MonitorQueue.FullResource);
        Assert.False(outcome.IsCompleted, "Put returned into a full queue");

        Assert.Equal(1, queue.Get(consumer, CancellationToken.None));
        await outcome.WaitAsync(TestSupport.Deadline);

        Assert.Equal(2, queue.Get(consumer, CancellationToken.None));
        var wait = Assert.Single(TestSupport.Events(producer), e => e.Kind == EventKind.Wait);
        Assert.Equal(MonitorQueue.FullResource, wait.Resource);
        Assert.Equal(1, wait.Level);
        Assert.Equal(1, queue.MaxDepth);
    }

    [Fact(Timeout = 30_000)]
    public async Task Cancellation_wakes_a_blocked_get()
    {
        var queue = new MonitorQueue(QueueKind.Fifo, 2);
        using var recorder = new EventRecorder(1, 100_000);
        using var cts = new CancellationTokenSource();

        var (thread, outcome) = TestSupport.StartThread(() => queue.Get(recorder[0], cts.Token));
        await BlockedIn(thread, recorder[0], MonitorQueue.EmptyResource);
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => outcome.WaitAsync(TestSupport.Deadline));
        Assert.Equal(0, queue.Depth);
    }

    [Fact(Timeout = 30_000)]
    public async Task Cancellation_wakes_a_blocked_put_without_enqueuing_its_item()
    {
        var queue = new MonitorQueue(QueueKind.Fifo, 1);
        using var recorder = new EventRecorder(2, 100_000);
        using var cts = new CancellationTokenSource();
        queue.Put(recorder[0], 1, 0, CancellationToken.None);

        var (thread, outcome) = TestSupport.StartThread(() =>
        {
            queue.Put(recorder[0], 2, 0, cts.Token);
            return true;
        });
        await BlockedIn(thread, recorder[0], MonitorQueue.FullResource);
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => outcome.WaitAsync(TestSupport.Deadline));
        Assert.Equal(1, queue.Get(recorder[1], CancellationToken.None));
        Assert.Equal(0, queue.Depth);
    }

    [Fact(Timeout = 30_000)]
    public async Task Cancellation_wakes_a_blocked_join()
    {
        var queue = new MonitorQueue(QueueKind.Fifo, 2);
        using var recorder = new EventRecorder(1, 100_000);
        using var cts = new CancellationTokenSource();
        queue.Put(recorder[0], 1, 0, CancellationToken.None);

        var (thread, outcome) = TestSupport.StartThread(() =>
        {
            queue.Join(recorder[0], cts.Token);
            return true;
        });
        await BlockedIn(thread, recorder[0], MonitorQueue.JoinResource);
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => outcome.WaitAsync(TestSupport.Deadline));
    }

    [Fact(Timeout = 30_000)]
    public async Task Join_returns_once_every_item_put_is_marked_done()
    {
        var queue = new MonitorQueue(QueueKind.Fifo, 4);
        using var recorder = new EventRecorder(2, 100_000);
        queue.Put(recorder[0], 1, 0, CancellationToken.None);
        queue.Put(recorder[0], 2, 0, CancellationToken.None);

        var (thread, outcome) = TestSupport.StartThread(() =>
        {
            queue.Join(recorder[0], CancellationToken.None);
            return true;
        });
        await BlockedIn(thread, recorder[0], MonitorQueue.JoinResource);

        queue.Get(recorder[1], CancellationToken.None);
        queue.TaskDone(recorder[1]);
        Assert.False(outcome.IsCompleted, "join returned with an item still unfinished");
        queue.Get(recorder[1], CancellationToken.None);
        queue.TaskDone(recorder[1]);

        Assert.True(await outcome.WaitAsync(TestSupport.Deadline));
    }

    [Fact(Timeout = 30_000)]
    public async Task An_already_cancelled_token_stops_a_get_before_it_blocks()
    {
        var queue = new MonitorQueue(QueueKind.Fifo, 2);
        using var recorder = new EventRecorder(1, 100_000);
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => TestSupport.OnThread(() => queue.Get(recorder[0], cts.Token)));
    }
}
