using System.Diagnostics;
using Playground.Scenarios.Processes;
using Playground.Scenarios.Recording;
using Playground.Shared.Events;
using static Playground.Processes.Tests.ProcessTestSupport;

namespace Playground.Processes.Tests;

/// <summary>
/// The shared event flag under many set/clear cycles, with waiters on mappings of their own (as
/// separate processes would have): a waiter that blocked may pass only for a set that came after
/// it began waiting, and every waiter blocked at a set is released by it.
/// </summary>
public sealed class SharedEventFlagRaceTests
{
    private const int Waiters = 6;
    private const int Cycles = 1500;

    [Fact(Timeout = 120_000)]
    public async Task A_waiter_never_passes_on_a_wake_up_posted_for_a_waiter_before_it()
    {
        var names = new SharedEventNames(NewRunId());
        try
        {
            using var flag = SharedEventFlag.Create(names);
            using var stop = new CancellationTokenSource();
            var finished = 0;
            var lost = 0;
            var recorders = Enumerable.Range(0, Waiters).Select(i => new TimedRecorder(i + 1)).ToList();
            var passes = recorders.Select(_ => new List<(long WaitedAt, long PassedAt)>()).ToList();
            var waiters = Enumerable.Range(0, Waiters).Select(i => Task.Factory.StartNew(() =>
            {
                using var view = SharedEventFlag.Open(names);
                var recorder = recorders[i];
                try
                {
                    while (Volatile.Read(ref finished) == 0)
                    {
                        var waitsBefore = recorder.Waits;
                        view.Wait(recorder, null, stop.Token);
                        var passedAt = Stopwatch.GetTimestamp();
                        if (recorder.Waits > waitsBefore)
                        {
                            // It blocked: the flag was clear when it registered (inside the flag's mutex).
                            passes[i].Add((recorder.LastWaitAt, passedAt));
                        }
                    }
                }
                catch (OperationCanceledException)
                {
                    // Still blocked long after the final set: a lost wake-up.
                    Interlocked.Increment(ref lost);
                }
            }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default)).ToList();

            var setter = new TimedRecorder(0);
            var sets = new List<(long Begin, long End)>(Cycles + 1);
            await Task.Factory.StartNew(() =>
            {
                for (var c = 0; c < Cycles; c++)
                {
                    var begin = Stopwatch.GetTimestamp();
                    flag.Set(setter);
                    sets.Add((begin, Stopwatch.GetTimestamp()));
                    flag.Clear(setter);
                    // A quiet moment after each clear: a waiter that passes now has no set to pass for.
                    Thread.Sleep(1);
                }

                // The last set is never cleared: every waiter must get out.
                Volatile.Write(ref finished, 1);
                var last = Stopwatch.GetTimestamp();
                flag.Set(setter);
                sets.Add((last, Stopwatch.GetTimestamp()));
            }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default).WaitAsync(Deadline);

            var allOut = Task.WhenAll(waiters);
            if (await Task.WhenAny(allOut, Task.Delay(TimeSpan.FromSeconds(10))) != allOut)
            {
                await stop.CancelAsync();
            }

            await allOut.WaitAsync(Deadline);

            // A blocked waiter legally passes only for a set whose critical section lies between its
            // registration and its return: such a set ended after the registration and began before the return.
            var stolen = passes.SelectMany((list, waiter) => list
                    .Where(p => !sets.Any(s => s.End > p.WaitedAt && s.Begin < p.PassedAt))
                    .Select(p => (Waiter: waiter + 1, p.WaitedAt, p.PassedAt)))
                .ToList();
            var blockedPasses = passes.Sum(p => p.Count);

            Assert.True(stolen.Count == 0,
                $"{stolen.Count} of {blockedPasses} blocked waits passed with no set after they began waiting (stolen wake-ups), "
                + $"first by waiter {stolen.FirstOrDefault().Waiter}");
            Assert.True(lost == 0, $"{lost} waiter(s) stayed blocked after the final, uncleared set (lost wake-ups)");
            Assert.True(blockedPasses >= Cycles, $"only {blockedPasses} blocked waits passed in {Cycles} cycles: the race was not exercised");
            Assert.Equal(Cycles + 1, setter.Count(EventKind.Set));
        }
        finally
        {
            names.Unlink();
        }

        Assert.All(names.Paths, p => Assert.False(File.Exists(p), $"{p} was left behind"));
    }
}

/// <summary>A recorder for one thread that counts its events and keeps when it last began to wait.</summary>
internal sealed class TimedRecorder(int actor) : IActorRecorder
{
    private readonly int[] _counts = new int[Enum.GetValues<EventKind>().Length];

    public int Actor { get; } = actor;

    public int Waits => _counts[(int)EventKind.Wait];

    /// <summary>The monotonic timestamp of the last wait recorded (taken inside the flag's mutex).</summary>
    public long LastWaitAt { get; private set; }

    public int Count(EventKind kind) => _counts[(int)kind];

    public void Record(EventKind kind, string? resource = null, long value = 0, long level = -1)
    {
        var now = Stopwatch.GetTimestamp();
        _counts[(int)kind]++;
        if (kind == EventKind.Wait)
        {
            LastWaitAt = now;
        }
    }
}
