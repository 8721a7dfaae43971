using System.Collections.Concurrent;
using Playground.Scenarios.Engine;
using Playground.Scenarios.Processes;
using Playground.Shared.Catalog;
using static Playground.Processes.Tests.ProcessTestSupport;
using S = Playground.Shared.Catalog.ProducerConsumerSchema;

namespace Playground.Processes.Tests;

[Collection(ChildProcessCollection.Name)]
public sealed class ProcessCleanupTests
{
    private const int Runs = 50;

    private enum Ending
    {
        Complete,
        Cancel,
        Kill,
    }

    [Fact(Timeout = 240_000)]
    public async Task Fifty_runs_that_complete_are_cancelled_or_lose_a_child_leave_no_process_and_no_shared_memory()
    {
        var pids = new ConcurrentBag<int>();
        var runIds = new ConcurrentBag<string>();
        // The /dev/shm files the children really had mapped or open, read from /proc while they ran.
        var seenOpen = new ConcurrentDictionary<string, bool>(StringComparer.Ordinal);
        var outcomes = new ConcurrentBag<(Ending Ending, ScenarioOutcome Outcome)>();

        // Two runs at a time; each third one completes, is cancelled, or loses a child to kill -9.
        var next = -1;
        async Task Lane()
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < Runs)
            {
                var ending = (Ending)(i % 3);
                var (outcome, opened, runPids, runId) = await OneRun(ending);
                runIds.Add(runId);
                foreach (var pid in runPids)
                {
                    pids.Add(pid);
                }

                foreach (var path in opened)
                {
                    seenOpen.TryAdd(path, true);
                }

                outcomes.Add((ending, outcome));
            }
        }

        await Task.WhenAll(Lane(), Lane()).WaitAsync(TimeSpan.FromSeconds(220));

        Assert.Equal(Runs, outcomes.Count);
        Assert.Equal(Runs, runIds.Distinct().Count());
        Assert.All(outcomes.Where(o => o.Ending == Ending.Complete), o =>
        {
            Assert.Null(o.Outcome.Failure);
            Assert.True(o.Outcome.Verdict.Held, string.Join("; ", o.Outcome.Verdict.Evidence));
        });
        Assert.All(outcomes, o => Assert.DoesNotContain("consumed more than once", string.Join(" ", o.Outcome.Verdict.Evidence), StringComparison.Ordinal));

        Assert.All(pids, AssertGone);
        Assert.All(runIds.SelectMany(id => new SharedQueueNames(new RunEnvironment(id, Worker).SharedKey).Paths), p => Assert.False(File.Exists(p), $"{p} was left behind"));

        // What /proc showed the children holding: the queue's file and each child's event ring, per run.
        Assert.NotEmpty(seenOpen);
        Assert.Contains(seenOpen.Keys, p => p.EndsWith("-queue", StringComparison.Ordinal));
        Assert.Contains(seenOpen.Keys, p => p.Contains("-events-", StringComparison.Ordinal));
        Assert.All(seenOpen.Keys, p => Assert.False(File.Exists(p), $"{p}, which a child had open, was left behind"));
    }

    private static async Task<(ScenarioOutcome Outcome, HashSet<string> Opened, List<int> Pids, string RunId)> OneRun(Ending ending)
    {
        // Runs that are cut short carry more items, so they are still in flight when the cut comes.
        using var run = new ProcessRun(Values(
            (S.Producers, "1"),
            (S.Consumers, "2"),
            (S.Items, ending == Ending.Complete ? "10" : "200"),
            (S.Capacity, "2"),
            (CommonParameters.TimeScale, "0.01")));
        var actors = run.Execution.Actors.Count;
        var opened = new HashSet<string>(StringComparer.Ordinal);
        var execute = run.Start();

        // Look at what each child holds once it has opened the queue (its first event comes after that).
        var inspected = new HashSet<int>();
        while (!execute.IsCompleted && inspected.Count < actors)
        {
            for (var a = 0; a < actors; a++)
            {
                var pid = run.Observer.PidOf(a);
                if (pid != 0 && run.Recorder[a].Count > 0 && inspected.Add(a))
                {
                    opened.UnionWith(SharedMemoryFilesOf(pid));
                }
            }

            await Task.Delay(2);
        }

        switch (ending)
        {
            case Ending.Cancel:
                await run.Cancel.CancelAsync();
                break;
            case Ending.Kill:
                var victim = run.ActorIndex("consumer-2");
                await Eventually(() => run.Observer.PidOf(victim) != 0 || execute.IsCompleted, "the consumer has started");
                var pid = run.Observer.PidOf(victim);
                if (pid != 0 && IsOurDescendant(pid))
                {
                    _ = KillIfAlive(pid);
                }

                break;
        }

        var outcome = await execute.WaitAsync(Deadline);
        return (outcome, opened, [.. run.Observer.Pids.Values], run.RunId);
    }

    private static bool KillIfAlive(int pid)
    {
        try
        {
            using var process = System.Diagnostics.Process.GetProcessById(pid);
            process.Kill();
            return true;
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            // It had already ended.
            return false;
        }
    }
}
