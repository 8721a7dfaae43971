using Playground.Scenarios.Engine;
using Playground.Scenarios.Pool;
using Playground.Scenarios.Processes;
using Playground.Scenarios.Recording;
using Playground.Scenarios.Tests;
using Playground.Shared.Catalog;
using Playground.Shared.Events;
using Playground.Shared.Parameters;
using static Playground.Processes.Tests.ProcessTestSupport;
using S = Playground.Shared.Catalog.PoolSchema;

namespace Playground.Processes.Tests;

/// <summary>The pool with worker processes fed through /dev/shm, and with a fresh process for every task.</summary>
[Collection(ChildProcessCollection.Name)]
public sealed class PoolProcessTests
{
    public static TheoryData<string, string> ProcessExecutorsAndStyles()
    {
        var data = new TheoryData<string, string>();
        foreach (var executor in new[] { S.ProcessPool, S.ProcessPerTask })
        {
            foreach (var submit in new[] { S.Map, S.ApplyAsync, S.Apply })
            {
                data.Add(executor, submit);
            }
        }

        return data;
    }

    private sealed record PoolProcessRun(PoolScript Script, ScenarioOutcome Outcome, IReadOnlyList<RawEvent> Events, IReadOnlyDictionary<int, int> Pids, string RunId)
    {
        public Dictionary<string, double> Metrics => MetricsOf(Outcome);

        public string Evidence => string.Join("; ", Outcome.Verdict.Evidence.Select(m => m.Format(System.Globalization.CultureInfo.InvariantCulture)));
    }

    private static ParameterValues Values(params (string Name, string Value)[] knobs)
    {
        var result = ParameterValidator.Validate(S.Descriptor, knobs.ToDictionary(k => k.Name, k => (string?)k.Value));
        Assert.True(result.IsValid, string.Join("; ", result.Errors.Select(e => $"{e.Field}: {e.Message}")));
        return result.Values;
    }

    private static async Task<PoolProcessRun> Run(params (string Name, string Value)[] knobs)
    {
        var runId = NewRunId();
        var script = Assert.IsType<PoolScript>(new PoolScenario().Create(Values(knobs), new RunEnvironment(runId, Worker)));
        Assert.Equal(RunModes.Processes, script.Mode);
        using var recorder = new EventRecorder(script.Actors.Count, 1_000_000);
        var observer = new PidObserver();
        // The children die with the thread that started them (PR_SET_PDEATHSIG): a dedicated thread runs it.
        var outcome = await Task.Factory.StartNew(() => script.Execute(recorder, observer, CancellationToken.None), CancellationToken.None,
            TaskCreationOptions.LongRunning, TaskScheduler.Default).WaitAsync(TimeSpan.FromSeconds(90));
        return new PoolProcessRun(script, outcome, recorder.Snapshot(), observer.Pids, runId);
    }

    private static void AssertNothingLeft(PoolProcessRun run)
    {
        Assert.Empty(SharedEntriesOf(run.RunId));
        Assert.All(run.Pids.Where(p => p.Key > 0).Select(p => p.Value), AssertGone);
    }

    [Theory(Timeout = 180_000)]
    [MemberData(nameof(ProcessExecutorsAndStyles))]
    public async Task Every_task_runs_once_in_a_child_and_its_computed_result_reaches_the_parent_in_completion_order(string executor, string submit)
    {
        const int Tasks = 8;
        var run = await Run((S.Tasks, "8"), (S.PoolSize, "2"), (S.Executor, executor), (S.Submit, submit), (S.TaskKind, S.Mixed),
            (S.TaskDuration, "0.2"), (CommonParameters.TimeScale, "0.05"));

        Assert.True(run.Outcome.Verdict.Held, run.Evidence);
        Assert.Null(run.Outcome.Failure);
        // The children computed what the server would have: the speed measured here reached them through shared memory.
        PoolAssertions.EachTaskOnceWithItsResult(run.Script.Settings, run.Events, CpuWork.IterationsPerSecond);
        PoolAssertions.CallbacksInCompletionOrder(run.Events, submit);
        if (submit == S.Apply)
        {
            PoolAssertions.AtMostOneTaskInFlight(run.Events);
        }

        // The parent is the server's own run thread; every worker lane is a child with a pid of its own.
        Assert.Equal(Environment.ProcessId, run.Pids[0]);
        var children = run.Pids.Where(p => p.Key > 0).Select(p => p.Value).ToList();
        var expected = executor == S.ProcessPerTask ? Tasks : 2;
        Assert.Equal(expected, children.Count);
        Assert.Equal(expected, children.Distinct().Count());
        Assert.DoesNotContain(Environment.ProcessId, children);
        Assert.Equal(expected, run.Metrics["processes"]);
        Assert.True(run.Metrics["startupMeanMs"] > 0);
        // Each child reported the CPU its whole process used, the runtime's start-up included.
        Assert.All(Enumerable.Range(1, expected), a => Assert.Contains(run.Events, e => e.Actor == a && e.Kind == EventKind.End && e.Resource == PoolWorkers.CpuResource && e.Value > 0));
        AssertNothingLeft(run);
    }

    [Fact(Timeout = 180_000)]
    public async Task A_process_per_task_starts_one_new_child_for_each_task_when_it_is_submitted_and_leaves_none_behind()
    {
        const int Tasks = 12;
        var run = await Run((S.Tasks, "12"), (S.Executor, S.ProcessPerTask), (S.Submit, S.ApplyAsync), (S.TaskKind, S.Cpu),
            (CommonParameters.TimeScale, "0.02"));

        Assert.True(run.Outcome.Verdict.Held, run.Evidence);
        var pids = Enumerable.Range(0, Tasks).Select(t => run.Pids[PoolParent.ChildOf(t)]).ToList();
        Assert.Equal(Tasks, pids.Distinct().Count());
        Assert.Equal(Tasks, run.Metrics["processes"]);
        Assert.Contains(run.Outcome.Notes, n => n.Key == "pool.note.perTask");
        foreach (var task in Enumerable.Range(0, Tasks))
        {
            // Started when its task was submitted, never before: its lane begins with its start-up,
            // stamped as the parent started it, and only then does the child record its own start.
            var spawned = run.Events.Single(e => e.Actor == 0 && e.Kind == EventKind.Work && e.Resource == PoolParent.SpawnResource && e.Value == task);
            var lane = run.Events.Where(e => e.Actor == PoolParent.ChildOf(task)).ToList();
            Assert.Equal((EventKind.Sleep, ChildProcessGroup.StartupResource), (lane[0].Kind, lane[0].Resource));
            Assert.True(lane[0].Timestamp > spawned.Timestamp, $"task {task}'s process began before its task was submitted");
            Assert.Equal(EventKind.Start, lane[1].Kind);
            // It ran its own task and no other.
            Assert.Equal([task], run.Events.Where(e => e.Actor == PoolParent.ChildOf(task) && e.Resource == S.TaskResource).Select(e => e.Value).Distinct());
        }

        AssertNothingLeft(run);
    }

    [Fact(Timeout = 180_000)]
    public async Task Each_worker_process_has_a_GIL_of_its_own_that_nobody_waits_for()
    {
        var run = await Run((S.Tasks, "6"), (S.PoolSize, "2"), (S.Executor, S.ProcessPool), (S.Gil, S.On), (S.TaskKind, S.Cpu), (S.Spread, "0"),
            (CommonParameters.TimeScale, "0.1"));

        Assert.True(run.Outcome.Verdict.Held, run.Evidence);
        Assert.Equal(6, run.Events.Count(e => e.Kind == EventKind.Acquire && e.Resource == EmulatedGil.Resource));
        Assert.DoesNotContain(run.Events, e => e.Kind == EventKind.Wait && e.Resource == EmulatedGil.Resource);
        Assert.Equal(0, run.Metrics["gilWaits"]);
        Assert.Contains(run.Outcome.Notes, n => n.Key == "pool.note.gilProcesses");
        AssertNothingLeft(run);
    }

    [Fact(Timeout = 180_000)]
    public async Task A_worker_process_killed_mid_task_fails_the_run_and_frees_the_parent_waiting_in_the_server()
    {
        var runId = NewRunId();
        var script = Assert.IsType<PoolScript>(new PoolScenario().Create(
            Values((S.Executor, S.ProcessPool), (S.PoolSize, "2"), (S.TaskDuration, "5")), new RunEnvironment(runId, Worker)));
        using var recorder = new EventRecorder(script.Actors.Count, 100_000);
        var observer = new PidObserver();
        var running = Task.Factory.StartNew(() => script.Execute(recorder, observer, CancellationToken.None), CancellationToken.None,
            TaskCreationOptions.LongRunning, TaskScheduler.Default);
        await Eventually(() => recorder.Snapshot().Any(e => e.Actor == 1 && e.Kind == EventKind.Work && e.Resource == S.TaskResource), "worker-1 computes");
        using (var victim = System.Diagnostics.Process.GetProcessById(observer.PidOf(1)))
        {
            // SIGKILL: the child gets no chance to say goodbye.
            victim.Kill();
        }

        var outcome = await running.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal("child.peersStopped", outcome.Failure?.Key);
        Assert.False(outcome.Verdict.Held);
        Assert.Contains(recorder.Snapshot(), e => e.Actor == 1 && e.Kind == EventKind.Crash);
        Assert.Equal(EventKind.End, Lane(recorder, 0)[^1].Kind);
        Assert.Empty(SharedEntriesOf(runId));
        Assert.All(observer.Pids.Where(p => p.Key > 0).Select(p => p.Value), AssertGone);
    }
}
