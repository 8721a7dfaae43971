using Playground.Scenarios.Event;
using Playground.Scenarios.Primitives;
using Playground.Scenarios.Recording;
using Playground.Shared.Events;

namespace Playground.Scenarios.Tests;

/// <summary>
/// The threads flavour (<see cref="MonitorEventFlag"/>, waiters on dedicated threads) and the async
/// flavour (<see cref="AsyncEventFlag"/>, waiters as tasks) under the same tests.
/// </summary>
public sealed class EventFlagTests
{
    public static TheoryData<string> Flavours() => new() { "threads", "async" };

    /// <summary>One flavour behind one face: a wait runs on its own thread (threads) or as a task (async).</summary>
    private sealed class Flag
    {
        private readonly MonitorEventFlag? _monitor;
        private readonly AsyncEventFlag? _async;

        public Flag(string flavour)
        {
            if (flavour == "threads")
            {
                _monitor = new MonitorEventFlag();
            }
            else
            {
                _async = new AsyncEventFlag();
            }
        }

        public bool IsSet => _monitor?.IsSet ?? _async!.IsSet;

        public void Set(IActorRecorder actor)
        {
            if (_monitor is not null)
            {
                _monitor.Set(actor);
            }
            else
            {
                _async!.Set(actor);
            }
        }

        public void Clear(IActorRecorder actor)
        {
            if (_monitor is not null)
            {
                _monitor.Clear(actor);
            }
            else
            {
                _async!.Clear(actor);
            }
        }

        public Task<bool> Wait(IActorRecorder actor, TimeSpan? timeout = null, CancellationToken cancellationToken = default) =>
            _monitor is { } monitor
                ? TestSupport.StartThread(() => monitor.Wait(actor, timeout, cancellationToken)).Outcome
                : _async!.WaitAsync(actor, timeout, cancellationToken).AsTask();

        /// <summary>
        /// Waits again and again while <paramref name="more"/> says so: one thread (threads) or one
        /// task (async). After a pass at once it pauses a moment, or it would spin on an up flag.
        /// </summary>
        public Task WaitWhile(ActorLog actor, Func<bool> more)
        {
            if (_monitor is { } monitor)
            {
                return TestSupport.StartThread(() =>
                {
                    while (more())
                    {
                        monitor.Wait(actor, null, CancellationToken.None);
                        if (PassedAtOnce(actor))
                        {
                            Thread.Sleep(1);
                        }
                    }

                    return true;
                }).Outcome;
            }

            var flag = _async!;
            return Task.Run(async () =>
            {
                while (more())
                {
                    await flag.WaitAsync(actor, null, CancellationToken.None);
                    if (PassedAtOnce(actor))
                    {
                        await Task.Delay(1);
                    }
                }
            });
        }

        private static bool PassedAtOnce(ActorLog actor) => actor[actor.Count - 1].Resource == EventFlagResources.Up;
    }

    private static int Count(ActorLog log, EventKind kind) => TestSupport.Events(log).Count(e => e.Kind == kind);

    [Theory(Timeout = 30_000)]
    [MemberData(nameof(Flavours))]
    public async Task Every_waiter_blocks_until_the_set_and_then_wakes(string flavour)
    {
        var flag = new Flag(flavour);
        using var recorder = new EventRecorder(6, 100_000);
        var waits = Enumerable.Range(1, 5).Select(a => flag.Wait(recorder[a])).ToList();
        await TestSupport.Eventually(() => Enumerable.Range(1, 5).All(a => Count(recorder[a], EventKind.Wait) == 1), "every waiter is waiting");
        await Task.Delay(50);
        Assert.DoesNotContain(waits, w => w.IsCompleted);

        flag.Set(recorder[0]);
        var passed = await Task.WhenAll(waits).WaitAsync(TestSupport.Deadline);

        Assert.All(passed, Assert.True);
        var set = Assert.Single(TestSupport.Events(recorder[0]));
        Assert.Equal((EventKind.Set, EventFlagResources.Flag, 5L, 1L), (set.Kind, set.Resource, set.Value, set.Level));
        for (var a = 1; a <= 5; a++)
        {
            var events = TestSupport.Events(recorder[a]);
            Assert.Equal([(EventKind.Wait, EventFlagResources.Flag), (EventKind.Acquire, EventFlagResources.Woken)],
                events.Select(e => (e.Kind, e.Resource)));
            Assert.Equal(1, events[1].Value);
            // The pass is on the clock after the set that released it.
            Assert.True(events[1].Timestamp > set.Timestamp);
        }

        // The flag stays up: the next wait passes at once and records only that.
        Assert.True(await flag.Wait(recorder[1]).WaitAsync(TestSupport.Deadline));
        Assert.Equal((EventKind.Acquire, EventFlagResources.Up), (TestSupport.Events(recorder[1])[^1].Kind, TestSupport.Events(recorder[1])[^1].Resource));
        Assert.Equal(1, Count(recorder[1], EventKind.Wait));
    }

    [Theory(Timeout = 30_000)]
    [MemberData(nameof(Flavours))]
    public async Task A_waiter_released_by_a_set_passes_even_if_the_flag_is_cleared_before_it_runs(string flavour)
    {
        var flag = new Flag(flavour);
        using var recorder = new EventRecorder(2, 100_000);
        var wait = flag.Wait(recorder[1]);
        await TestSupport.Eventually(() => Count(recorder[1], EventKind.Wait) == 1, "the waiter is waiting");

        flag.Set(recorder[0]);
        flag.Clear(recorder[0]);

        Assert.True(await wait.WaitAsync(TestSupport.Deadline));
        Assert.False(flag.IsSet);

        // After the clear the next wait blocks again, until the next set.
        var next = flag.Wait(recorder[1]);
        await TestSupport.Eventually(() => Count(recorder[1], EventKind.Wait) == 2, "the next wait is waiting");
        await Task.Delay(50);
        Assert.False(next.IsCompleted, "a wait passed after clear");
        flag.Set(recorder[0]);
        Assert.True(await next.WaitAsync(TestSupport.Deadline));
    }

    [Theory(Timeout = 30_000)]
    [MemberData(nameof(Flavours))]
    public async Task A_wait_whose_timeout_runs_out_returns_false_records_it_and_is_not_counted_by_the_next_set(string flavour)
    {
        var flag = new Flag(flavour);
        using var recorder = new EventRecorder(2, 100_000);

        Assert.False(await flag.Wait(recorder[1], TimeSpan.FromMilliseconds(20)).WaitAsync(TestSupport.Deadline));

        Assert.Equal([(EventKind.Wait, EventFlagResources.Flag, 0L), (EventKind.Poll, EventFlagResources.TimedOut, 0L)],
            TestSupport.Events(recorder[1]).Select(e => (e.Kind, e.Resource, e.Level)));
        flag.Set(recorder[0]);
        Assert.Equal(0, TestSupport.Events(recorder[0]).Single().Value);
    }

    [Theory(Timeout = 30_000)]
    [MemberData(nameof(Flavours))]
    public async Task Cancelling_a_blocked_waiter_leaves_no_count_behind(string flavour)
    {
        var flag = new Flag(flavour);
        using var recorder = new EventRecorder(3, 100_000);
        using var cancel = new CancellationTokenSource();
        var wait = flag.Wait(recorder[1], null, cancel.Token);
        await TestSupport.Eventually(() => Count(recorder[1], EventKind.Wait) == 1, "the waiter is waiting");

        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => wait.WaitAsync(TestSupport.Deadline));

        // The set that follows counts nobody, and nothing it leaves lets a later waiter through after a clear.
        flag.Set(recorder[0]);
        Assert.Equal(0, TestSupport.Events(recorder[0]).Single().Value);
        flag.Clear(recorder[0]);
        var next = flag.Wait(recorder[2]);
        await TestSupport.Eventually(() => Count(recorder[2], EventKind.Wait) == 1, "the next waiter is waiting");
        await Task.Delay(50);
        Assert.False(next.IsCompleted, "a wait passed after clear");
        flag.Set(recorder[0]);
        Assert.True(await next.WaitAsync(TestSupport.Deadline));
    }

    [Theory(Timeout = 60_000)]
    [MemberData(nameof(Flavours))]
    public async Task Under_many_set_and_clear_cycles_no_waiter_passes_while_the_flag_is_clear(string flavour)
    {
        const int waiters = 8;
        const int cycles = 1000;
        var flag = new Flag(flavour);
        using var recorder = new EventRecorder(waiters + 1, 1_000_000);
        var finished = 0;
        var loops = Enumerable.Range(1, waiters).Select(a => flag.WaitWhile(recorder[a], () => Volatile.Read(ref finished) == 0)).ToList();

        await TestSupport.OnThread(() =>
        {
            for (var c = 0; c < cycles; c++)
            {
                flag.Set(recorder[0]);
                flag.Clear(recorder[0]);
                if (c % 10 == 0)
                {
                    // Now and then a quiet moment with the flag clear, for a wrong pass to show.
                    Thread.Sleep(1);
                }
            }

            // The last set is never cleared: every waiter gets out.
            Volatile.Write(ref finished, 1);
            flag.Set(recorder[0]);
        });
        await Task.WhenAll(loops).WaitAsync(TestSupport.Deadline);

        Assert.Equal(0, recorder.Dropped);
        var log = new FlagEventLog();
        foreach (var e in recorder.Snapshot())
        {
            log.Observe(e);
        }

        var history = EventInvariant.Replay(log.Snapshot());
        Assert.Empty(history.Violations);
        Assert.Equal(cycles + 1, history.Sets.Count);
        Assert.True(history.WokenPasses > 0, "no waiter ever blocked: the test did not exercise the flag");
        Assert.Equal(history.BlockedWaits, history.WokenPasses);
        // Each set woke exactly the waiters it counted.
        var counted = TestSupport.Events(recorder[0]).Where(e => e.Kind == EventKind.Set).Select(e => e.Value).ToList();
        Assert.Equal(counted, history.Sets.Select(s => (long)s.Woke.Count));
    }

    [Theory]
    [MemberData(nameof(Flavours))]
    public async Task Every_operation_passes_the_single_choke_point_first(string flavour)
    {
        var flag = new Flag(flavour);
        var actor = new ChokePointRecorder();

        flag.Set(actor);
        Assert.True(await flag.Wait(actor).WaitAsync(TestSupport.Deadline));
        flag.Clear(actor);
        Assert.False(await flag.Wait(actor, TimeSpan.FromMilliseconds(1)).WaitAsync(TestSupport.Deadline));

        Assert.Equal(
        [
            "enter set flag", "record set flag",
            "enter wait flag", "record acquire flag:up",
            "enter clear flag", "record clear flag",
            "enter wait flag", "record wait flag", "record poll flag:timeout",
        ], actor.Lines);
    }

    private sealed class ChokePointRecorder : IActorRecorder
    {
        public List<string> Lines { get; } = [];

        public int Actor => 0;

        public void Record(EventKind kind, string? resource = null, long value = 0, long level = -1)
        {
            lock (Lines)
            {
                Lines.Add($"record {kind.Name()} {resource}");
            }
        }

        public void BeforeOperation(EventKind operation, string resource)
        {
            lock (Lines)
            {
                Lines.Add($"enter {operation.Name()} {resource}");
            }
        }
    }
}
