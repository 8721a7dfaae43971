using Playground.Scenarios.Primitives;
using Playground.Scenarios.Processes;
using Playground.Shared.Events;
using static Playground.Processes.Tests.ProcessTestSupport;

namespace Playground.Processes.Tests;

public sealed class ProcessLockTests
{
    [Fact(Timeout = 30_000)]
    public async Task A_second_holder_blocks_until_the_first_releases()
    {
        // flock belongs to the open file description, so two instances exclude each other even in one process.
        var path = Path.Combine(Path.GetTempPath(), $"pg-{NewRunId()}.lock");
        try
        {
            using var first = new ProcessLock(path, "basket");
            using var second = new ProcessLock(path, "basket");
            var one = new ListRecorder();
            var two = new ListRecorder();

            // Off the test's thread: should the lock wrongly block here, the timeout still ends the test.
            await Task.Run(() => first.Acquire(one, CancellationToken.None)).WaitAsync(Deadline);
            Assert.Equal(0, one.Count(EventKind.Wait));

            var acquired = 0;
            var waiter = Task.Factory.StartNew(() =>
            {
                second.Acquire(two, CancellationToken.None);
                Volatile.Write(ref acquired, 1);
            }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

            await Eventually(() => two.Count(EventKind.Wait) == 1, "the second holder found the lock taken");
            Assert.False(waiter.Wait(100), "the second holder got the lock while the first held it");
            Assert.Equal(0, Volatile.Read(ref acquired));

            first.Release(one);
            await waiter.WaitAsync(Deadline);

            Assert.Equal(1, Volatile.Read(ref acquired));
            Assert.Equal([EventKind.Wait, EventKind.Acquire], two.Events.Select(e => e.Kind));
            Assert.All(two.Events, e => Assert.Equal("basket", e.Resource));

            // And the other way round: now the first one waits for the second.
            var firstAgain = Task.Factory.StartNew(() => first.Acquire(one, CancellationToken.None), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
            await Eventually(() => one.Count(EventKind.Wait) == 1, "the first holder found the lock taken");
            Assert.False(firstAgain.Wait(50));
            second.Release(two);
            await firstAgain.WaitAsync(Deadline);
            first.Release(one);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact(Timeout = 30_000)]
    public async Task A_holder_can_open_the_lock_file_while_another_holds_the_lock()
    {
        var path = Path.Combine(Path.GetTempPath(), $"pg-{NewRunId()}.lock");
        try
        {
            using var first = new ProcessLock(path);
            var one = new ListRecorder();
            await Task.Run(() => first.Acquire(one, CancellationToken.None)).WaitAsync(Deadline);

            // A buyer that starts while the lock is taken opens the file and then waits its turn.
            using var late = new ProcessLock(path);
            var two = new ListRecorder();
            var waiter = Task.Factory.StartNew(() => late.Acquire(two, CancellationToken.None), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
            await Eventually(() => two.Count(EventKind.Wait) == 1, "the late holder found the lock taken");
            first.Release(one);
            await waiter.WaitAsync(Deadline);
            late.Release(two);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact(Timeout = 30_000)]
    public async Task Holders_on_many_threads_never_overlap()
    {
        var path = Path.Combine(Path.GetTempPath(), $"pg-{NewRunId()}.lock");
        try
        {
            var inside = 0;
            var overlaps = 0;
            long total = 0;
            var workers = Enumerable.Range(0, 4).Select(_ => Task.Factory.StartNew(() =>
            {
                using var gate = new ProcessLock(path);
                var recorder = new ListRecorder();
                for (var i = 0; i < 500; i++)
                {
                    gate.Acquire(recorder, CancellationToken.None);
                    if (Interlocked.Increment(ref inside) != 1)
                    {
                        Interlocked.Increment(ref overlaps);
                    }

                    // A non-atomic read-modify-write: only mutual exclusion keeps the total right.
                    var t = Volatile.Read(ref total);
                    Thread.SpinWait(10);
                    Volatile.Write(ref total, t + 1);
                    Interlocked.Decrement(ref inside);
                    gate.Release(recorder);
                }
            }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default)).ToList();

            await Task.WhenAll(workers).WaitAsync(Deadline);

            Assert.Equal(0, overlaps);
            Assert.Equal(2_000, total);
        }
        finally
        {
            File.Delete(path);
        }
    }
}

public sealed class ProcessLockCancellationTests
{
    [Fact(Timeout = 30_000)]
    public async Task A_waiter_with_a_cancellable_token_leaves_on_cancel_without_the_lock_and_the_lock_still_works()
    {
        var path = Path.Combine(Path.GetTempPath(), $"pg-{NewRunId()}.lock");
        try
        {
            using var holder = new ProcessLock(path, "basket");
            using var waiter = new ProcessLock(path, "basket");
            var one = new ListRecorder();
            var two = new ListRecorder();
            await Task.Run(() => holder.Acquire(one, CancellationToken.None)).WaitAsync(Deadline);
            using var cts = new CancellationTokenSource();

            var blocked = Task.Factory.StartNew(() => waiter.Acquire(two, cts.Token), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
            await Eventually(() => two.Count(EventKind.Wait) == 1, "the waiter found the lock taken");
            Assert.False(blocked.Wait(50), "the waiter got the lock while it was held");
            await cts.CancelAsync();

            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => blocked.WaitAsync(Deadline));
            Assert.Equal([EventKind.Wait], two.Events.Select(e => e.Kind));

            // The holder still has it: the cancelled waiter took nothing on its way out.
            using var third = new ProcessLock(path, "basket");
            var three = new ListRecorder();
            using var again = new CancellationTokenSource();
            var late = Task.Factory.StartNew(() => third.Acquire(three, again.Token), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
            await Eventually(() => three.Count(EventKind.Wait) == 1, "a later waiter found the lock still taken");
            holder.Release(one);
            await late.WaitAsync(Deadline);
            Assert.Equal([EventKind.Wait, EventKind.Acquire], three.Events.Select(e => e.Kind));
            third.Release(three);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact(Timeout = 30_000)]
    public async Task Cancellable_holders_on_many_threads_never_overlap_and_lose_no_increment()
    {
        var path = Path.Combine(Path.GetTempPath(), $"pg-{NewRunId()}.lock");
        using var cts = new CancellationTokenSource();
        try
        {
            var inside = 0;
            var overlaps = 0;
            long total = 0;
            var recorders = Enumerable.Range(0, 4).Select(_ => new ListRecorder()).ToList();
            var workers = recorders.Select(recorder => Task.Factory.StartNew(() =>
            {
                using var gate = new ProcessLock(path);
                for (var i = 0; i < 300; i++)
                {
                    gate.Acquire(recorder, cts.Token);
                    if (Interlocked.Increment(ref inside) != 1)
                    {
                        Interlocked.Increment(ref overlaps);
                    }

                    var t = Volatile.Read(ref total);
                    Thread.SpinWait(10);
                    Volatile.Write(ref total, t + 1);
                    Interlocked.Decrement(ref inside);
                    gate.Release(recorder);
                }
            }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default)).ToList();

            await Task.WhenAll(workers).WaitAsync(Deadline);

            Assert.Equal(0, overlaps);
            Assert.Equal(1_200, total);
            Assert.All(recorders, r => Assert.Equal(300, r.Count(EventKind.Acquire)));
            Assert.All(recorders, r => Assert.InRange(r.Count(EventKind.Wait), 0, 300));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Every_operation_of_the_process_lock_passes_the_choke_point_before_it_records()
    {
        var path = Path.Combine(Path.GetTempPath(), $"pg-{NewRunId()}.lock");
        try
        {
            using var gate = new ProcessLock(path, "basket");
            var actor = new EnterRecorder();

            gate.Acquire(actor, CancellationToken.None);
            gate.Release(actor);

            Assert.Equal(
                [(true, EventKind.Acquire, "basket"), (false, EventKind.Acquire, "basket"), (true, EventKind.Release, "basket"), (false, EventKind.Release, "basket")],
                actor.Seen);
        }
        finally
        {
            File.Delete(path);
        }
    }
}

public sealed class SharedEventFlagTests
{
    [Fact(Timeout = 30_000)]
    public async Task Waiters_block_until_set_and_after_clear_a_wait_blocks_again()
    {
        var names = new SharedEventNames(NewRunId());
        try
        {
            using var flag = SharedEventFlag.Create(names);
            var setter = new ListRecorder();
            Assert.False(flag.IsSet);

            var recorders = Enumerable.Range(0, 3).Select(_ => new ListRecorder()).ToList();
            var waiters = recorders.Select(r => Task.Factory.StartNew(() =>
            {
                // Each waiter maps the flag on its own, as another process would.
                using var view = SharedEventFlag.Open(names);
                view.Wait(r, null, CancellationToken.None);
            }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default)).ToList();

            await Eventually(() => recorders.All(r => r.Count(EventKind.Wait) == 1), "every waiter is waiting");
            Assert.False(Task.WhenAll(waiters).Wait(100), "a waiter passed before the flag was set");

            flag.Set(setter);
            await Task.WhenAll(waiters).WaitAsync(Deadline);
            Assert.True(flag.IsSet);
            var set = Assert.Single(setter.Events, e => e.Kind == EventKind.Set);
            Assert.Equal(3, set.Value);
            Assert.All(recorders, r => Assert.Equal(
                [(EventKind.Wait, EventFlagResources.Flag), (EventKind.Acquire, EventFlagResources.Woken)],
                r.Events.Select(e => (e.Kind, e.Resource))));

            // Set: a wait passes at once without blocking, and says so with an instant.
            var passer = new ListRecorder();
            Assert.True(flag.Wait(passer, null, CancellationToken.None));
            var passed = Assert.Single(passer.Events);
            Assert.Equal((EventKind.Acquire, EventFlagResources.Up, 1L), (passed.Kind, passed.Resource, passed.Level));

            flag.Clear(setter);
            Assert.False(flag.IsSet);
            var again = new ListRecorder();
            var blocked = Task.Factory.StartNew(() =>
            {
                using var view = SharedEventFlag.Open(names);
                view.Wait(again, null, CancellationToken.None);
            }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
            await Eventually(() => again.Count(EventKind.Wait) == 1, "the waiter after clear is waiting");
            Assert.False(blocked.Wait(100), "a wait passed after clear");

            flag.Set(setter);
            await blocked.WaitAsync(Deadline);
        }
        finally
        {
            names.Unlink();
        }

        Assert.All(names.Paths, p => Assert.False(File.Exists(p), $"{p} was left behind"));
    }

    [Fact(Timeout = 30_000)]
    public async Task A_wait_with_a_cancellable_token_ends_on_cancel()
    {
        var names = new SharedEventNames(NewRunId());
        try
        {
            using var flag = SharedEventFlag.Create(names);
            using var cts = new CancellationTokenSource();
            var recorder = new ListRecorder();
            var waiter = Task.Factory.StartNew(() => flag.Wait(recorder, null, cts.Token), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
            await Eventually(() => recorder.Count(EventKind.Wait) == 1, "the waiter is waiting");

            await cts.CancelAsync();

            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiter.WaitAsync(Deadline));

            // The waiter that gave up is no longer counted: a later set and clear leave no wake-up behind
            // for the next waiter, which must block until the next set.
            var setter = new ListRecorder();
            flag.Set(setter);
            Assert.Equal(0, Assert.Single(setter.Events, e => e.Kind == EventKind.Set).Value);
            flag.Clear(setter);
            var next = new ListRecorder();
            var blocked = Task.Factory.StartNew(() => flag.Wait(next, null, CancellationToken.None), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
            await Eventually(() => next.Count(EventKind.Wait) == 1, "the next waiter is waiting");
            Assert.False(blocked.Wait(100), "a wait passed after clear on a wake-up left by a cancelled waiter");
            flag.Set(setter);
            await blocked.WaitAsync(Deadline);
        }
        finally
        {
            names.Unlink();
        }
    }

    [Fact]
    public void Creating_a_flag_whose_names_exist_fails_and_leaves_the_existing_flag_alone()
    {
        var names = new SharedEventNames(NewRunId());
        try
        {
            using var flag = SharedEventFlag.Create(names);
            Assert.ThrowsAny<IOException>(() => SharedEventFlag.Create(names));
            Assert.All(names.Paths, p => Assert.True(File.Exists(p), $"{p} was removed by a create that failed"));
            flag.Set(new ListRecorder());
            using var view = SharedEventFlag.Open(names);
            Assert.True(view.IsSet);
        }
        finally
        {
            names.Unlink();
        }

        Assert.All(names.Paths, p => Assert.False(File.Exists(p), $"{p} was left behind"));
    }
}

public sealed class SharedEventFlagTimeoutTests
{
    [Fact(Timeout = 30_000)]
    public async Task A_wait_whose_timeout_runs_out_returns_false_records_it_and_is_not_counted_by_the_next_set()
    {
        var names = new SharedEventNames(NewRunId());
        try
        {
            using var flag = SharedEventFlag.Create(names);
            var recorder = new ListRecorder();

            var passed = await Task.Factory.StartNew(() => flag.Wait(recorder, TimeSpan.FromMilliseconds(30), CancellationToken.None),
                CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default).WaitAsync(Deadline);

            Assert.False(passed);
            Assert.Equal(
                [(EventKind.Wait, EventFlagResources.Flag, 0L), (EventKind.Poll, EventFlagResources.TimedOut, 0L)],
                recorder.Events.Select(e => (e.Kind, e.Resource, e.Level)));

            var setter = new ListRecorder();
            flag.Set(setter);
            Assert.Equal(0, Assert.Single(setter.Events).Value);

            // With the flag up, a wait with a timeout passes at once.
            Assert.True(flag.Wait(new ListRecorder(), TimeSpan.FromMilliseconds(30), CancellationToken.None));
        }
        finally
        {
            names.Unlink();
        }

        Assert.All(names.Paths, p => Assert.False(File.Exists(p), $"{p} was left behind"));
    }

    [Fact(Timeout = 30_000)]
    public async Task A_waiter_released_by_a_set_passes_even_if_the_flag_is_cleared_before_it_runs()
    {
        var names = new SharedEventNames(NewRunId());
        try
        {
            using var flag = SharedEventFlag.Create(names);
            var recorder = new ListRecorder(1);
            var waiter = Task.Factory.StartNew(() =>
            {
                using var view = SharedEventFlag.Open(names);
                return view.Wait(recorder, TimeSpan.FromSeconds(20), CancellationToken.None);
            }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
            await Eventually(() => recorder.Count(EventKind.Wait) == 1, "the waiter is waiting");

            // Set and clear at once, as a worker clears right after the boss's set: the waiter was
            // waiting when the set came, so it passes (Python's wait returns True).
            var setter = new ListRecorder();
            flag.Set(setter);
            flag.Clear(setter);

            Assert.True(await waiter.WaitAsync(Deadline));
            Assert.False(flag.IsSet);
            var woken = recorder.Events.Last();
            Assert.Equal((EventKind.Acquire, EventFlagResources.Woken, 1L), (woken.Kind, woken.Resource, woken.Value));
            Assert.Equal(1, setter.Events.First().Value);
        }
        finally
        {
            names.Unlink();
        }
    }
}
