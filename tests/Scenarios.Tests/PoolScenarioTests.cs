using System.Globalization;
using Playground.Scenarios.Engine;
using Playground.Scenarios.Pool;
using Playground.Scenarios.Recording;
using Playground.Shared.Catalog;
using Playground.Shared.Events;
using Playground.Shared.Parameters;
using S = Playground.Shared.Catalog.PoolSchema;

namespace Playground.Scenarios.Tests;

/// <summary>The pool with worker threads and with async worker tasks: real computing, real queues, real results.</summary>
public sealed class PoolScenarioTests
{
    public static TheoryData<string, string> LocalExecutorsAndStyles()
    {
        var data = new TheoryData<string, string>();
        foreach (var executor in new[] { S.ThreadPool, S.Async })
        {
            foreach (var submit in new[] { S.Map, S.ApplyAsync, S.Apply })
            {
                data.Add(executor, submit);
            }
        }

        return data;
    }

    public static TheoryData<string> LocalExecutors() => new() { S.ThreadPool, S.Async };

    private static ParameterValues Values(params (string Name, string Value)[] knobs) => TestSupport.ValuesOf(S.Descriptor, knobs);

    internal sealed record PoolRun(PoolScript Script, ScenarioOutcome Outcome, IReadOnlyList<RawEvent> Events, RecordingObserver Observer)
    {
        public Dictionary<string, double> Metrics => Outcome.Metrics.ToDictionary(m => m.Name, m => m.Value);

        public string Evidence => string.Join("; ", Outcome.Verdict.Evidence.Select(m => m.Format(CultureInfo.InvariantCulture)));

        public IEnumerable<RawEvent> Of(int actor) => Events.Where(e => e.Actor == actor);
    }

    private static async Task<PoolRun> Run(ParameterValues values)
    {
        var script = Assert.IsType<PoolScript>(new PoolScenario().Create(values));
        using var recorder = new EventRecorder(script.Actors.Count, 1_000_000);
        var observer = new RecordingObserver();
        var outcome = await TestSupport.OnThread(() => script.Execute(recorder, observer, CancellationToken.None));
        return new PoolRun(script, outcome, recorder.Snapshot(), observer);
    }

    [Theory(Timeout = 60_000)]
    [MemberData(nameof(LocalExecutorsAndStyles))]
    public async Task Every_task_runs_once_and_its_computed_result_reaches_the_parent_in_completion_order(string executor, string submit)
    {
        const int Tasks = 12;
        var run = await Run(Values((S.Tasks, "12"), (S.PoolSize, "3"), (S.Executor, executor), (S.Submit, submit),
            (S.TaskKind, S.Cpu), (S.TaskDuration, "0.2"), (CommonParameters.TimeScale, "0.02")));

        Assert.True(run.Outcome.Verdict.Held, run.Evidence);
        Assert.Null(run.Outcome.Failure);
        Assert.Equal(executor == S.Async ? RunModes.Async : RunModes.Threads, run.Script.Mode);
        PoolAssertions.EachTaskOnceWithItsResult(run.Script.Settings, run.Events, CpuWork.IterationsPerSecond);
        PoolAssertions.CallbacksInCompletionOrder(run.Events, submit);
        Assert.Equal(Tasks, run.Metrics["results"]);
        Assert.Equal(0, run.Metrics["errors"]);
        // The parent answered every result; each worker's count is the tasks it ran.
        Assert.Equal(Tasks, run.Outcome.CountPerActor[0]);
        Assert.Equal(Tasks, run.Outcome.CountPerActor.Skip(1).Sum());
        Assert.Equal(4, run.Observer.Started.Count);
        if (submit == S.Apply)
        {
            // One task at a time: the pool never had two tasks in its hands.
            PoolAssertions.AtMostOneTaskInFlight(run.Events);
        }
    }

    [Theory(Timeout = 60_000)]
    [MemberData(nameof(LocalExecutors))]
    public async Task With_the_GIL_on_at_most_one_worker_holds_it_at_any_instant_and_workers_really_waited_for_it(string executor)
    {
        var run = await Run(Values((S.Tasks, "6"), (S.PoolSize, "3"), (S.Executor, executor), (S.Submit, S.ApplyAsync),
            (S.TaskKind, S.Cpu), (S.Gil, S.On), (S.TaskDuration, "0.2"), (S.Spread, "0"), (CommonParameters.TimeScale, "0.1")));

        Assert.True(run.Outcome.Verdict.Held, run.Evidence);
        var gil = run.Events.Where(e => e.Resource == EmulatedGil.Resource).ToList();
        var holder = -1;
        foreach (var e in gil)
        {
            switch (e.Kind)
            {
                case EventKind.Acquire:
                    Assert.True(holder == -1, $"actor {e.Actor} acquired the GIL while actor {holder} held it");
                    holder = e.Actor;
                    break;
                case EventKind.Release:
                    Assert.Equal(holder, e.Actor);
                    holder = -1;
                    break;
            }
        }

        Assert.Equal(-1, holder);
        // 20 ms of computing per task over three workers: they queued for it, and it changed hands
        // in the middle of tasks (a holder let go and queued again before its task was done).
        // Async tasks share the thread pool with everything else in this process: on two cores they
        // may happen to run one after another, so only the thread pool's dedicated workers must queue.
        if (executor == S.ThreadPool)
        {
            Assert.True(run.Metrics["gilWaits"] > 0, "no worker ever waited for the GIL");
            Assert.Contains(gil.Where(e => e.Kind == EventKind.Acquire).GroupBy(e => (e.Actor, e.Value)), took => took.Count() > 1);
        }

        Assert.Equal(run.Events.Count(e => e.Kind == EventKind.Wait && e.Resource == EmulatedGil.Resource), run.Metrics["gilWaits"]);
        Assert.Contains(run.Outcome.Notes, n => n.Key == "pool.note.gilThreads");
    }

    [Fact(Timeout = 60_000)]
    public async Task The_GIL_records_a_few_events_per_task_and_hand_over_not_per_step_of_work()
    {
        // The tutorial's setup, 20 tasks of 0.2 s behind the GIL on threads, at a quarter speed.
        var run = await Run(Values((S.Executor, S.ThreadPool), (S.Gil, S.On), (S.PoolSize, "4"), (CommonParameters.TimeScale, "0.25")));

        Assert.True(run.Outcome.Verdict.Held, run.Evidence);
        // 1 s of computing in all: at most one hand-over per 5 ms switch interval, four events each,
        // and a few events per task. On a busy machine the same work spans more intervals.
        var spanMs = (run.Events.Max(e => e.Timestamp) - run.Events.Min(e => e.Timestamp)) * 1000.0 / System.Diagnostics.Stopwatch.Frequency;
        Assert.InRange(run.Events.Count, 100, 1_200 + (int)(4 * spanMs / 5));
    }

    [Theory(Timeout = 60_000)]
    [MemberData(nameof(LocalExecutors))]
    public async Task A_task_that_raises_becomes_an_error_result_for_the_parent_and_the_run_goes_on(string executor)
    {
        var run = await Run(Values((S.Tasks, "10"), (S.PoolSize, "2"), (S.Executor, executor), (S.Failures, "3"), (S.TaskKind, S.Mixed),
            (CommonParameters.TimeScale, "0.02")));

        Assert.True(run.Outcome.Verdict.Held, run.Evidence);
        Assert.Null(run.Outcome.Failure);
        var raised = run.Events.Where(e => e.Kind == EventKind.Error && e.Resource == S.TaskResource).Select(e => e.Value).Order().ToList();
        var delivered = run.Of(0).Where(e => e.Kind == EventKind.Error && e.Resource == PoolParent.ErrorResource).Select(e => e.Value).Order().ToList();
        Assert.Equal(3, raised.Count);
        Assert.Equal(raised, delivered);
        Assert.All(raised, t => Assert.True(run.Script.Settings.Fails((int)t)));
        Assert.Equal(3, run.Metrics["errors"]);
        Assert.Equal(7, run.Metrics["results"]);
        Assert.Contains(run.Outcome.Notes, n => n.Key == "pool.note.errors.callback");
        // The workers carried on: every lane ended by itself.
        Assert.DoesNotContain(run.Events, e => e.Kind == EventKind.Crash);
        Assert.Equal(3, run.Events.Count(e => e.Kind == EventKind.End));
    }

    [Fact(Timeout = 60_000)]
    public async Task Sleeping_tasks_return_their_number_squared()
    {
        var run = await Run(Values((S.Tasks, "8"), (S.PoolSize, "4"), (S.Executor, S.ThreadPool), (S.TaskKind, S.Io), (CommonParameters.TimeScale, "0.05")));

        Assert.True(run.Outcome.Verdict.Held, run.Evidence);
        var values = run.Of(0).Where(e => e.Kind == EventKind.Get && e.Resource == PoolWorld.ResultsResource)
            .Select(e => PoolResult.Unpack(e.Value)).ToList();
        Assert.Equal(8, values.Count);
        Assert.All(values, r => Assert.Equal((uint)(r.Task * r.Task), r.Value));
        Assert.DoesNotContain(run.Events, e => e.Kind == EventKind.Work && e.Resource == S.TaskResource);
        Assert.Contains(run.Outcome.Notes, n => n.Key == "pool.note.io");
    }

    [Fact(Timeout = 60_000)]
    public async Task Cancelling_a_long_run_stops_every_worker_mid_task()
    {
        var script = Assert.IsType<PoolScript>(new PoolScenario().Create(Values((S.Executor, S.ThreadPool), (S.Gil, S.On), (S.TaskDuration, "10"))));
        using var recorder = new EventRecorder(script.Actors.Count, 1_000_000);
        using var cancel = new CancellationTokenSource();
        var (_, outcome) = TestSupport.StartThread(() => script.Execute(recorder, new RecordingObserver(), cancel.Token));
        await TestSupport.Eventually(() => recorder.Snapshot().Any(e => e.Kind == EventKind.Work && e.Resource == S.TaskResource), "a worker computes");
        await cancel.CancelAsync();

        var ended = await outcome.WaitAsync(TestSupport.Deadline);

        Assert.False(ended.Verdict.Held);
        Assert.Contains(ended.Verdict.Evidence, m => m.Key == "pool.evidence.neverRan");
        for (var a = 0; a < recorder.ActorCount; a++)
        {
            Assert.Equal(EventKind.End, TestSupport.Events(recorder[a])[^1].Kind);
        }
    }

    [Fact]
    public void The_executor_picks_the_host_mode_and_a_process_per_task_has_a_lane_per_task()
    {
        var perTask = Assert.IsType<PoolScript>(new PoolScenario().Create(Values((S.Executor, S.ProcessPerTask), (S.Tasks, "100"))));
        var plan = new PoolScenario().Plan(Values((S.Executor, S.ProcessPerTask), (S.Tasks, "100")));

        Assert.Equal(RunModes.Processes, perTask.Mode);
        Assert.Equal(101, perTask.Actors.Count);
        Assert.True(perTask.Actors[0].InServer);
        Assert.All(perTask.Actors.Skip(1), a => Assert.True(a.OnRequest));
        Assert.Equal("process-99", perTask.Actors[^1].Name);
        Assert.Equal(100, plan.ChildProcesses);
        Assert.Equal(RunModes.Processes, Assert.IsType<PoolScript>(new PoolScenario().Create(Values((S.Executor, S.ProcessPool)))).Mode);
        Assert.Equal(RunModes.Threads, Assert.IsType<PoolScript>(new PoolScenario().Create(Values((S.Executor, S.ThreadPool)))).Mode);
        Assert.Equal(RunModes.Async, Assert.IsType<PoolScript>(new PoolScenario().Create(Values((S.Executor, S.Async)))).Mode);
        Assert.Equal(PoolSchema.CoreCount, new PoolScenario().Create(S.Descriptor.Defaults()).Actors.Count - 1);
    }

    [Fact]
    public void Task_lengths_and_failures_come_from_the_seed_alone()
    {
        var a = PoolSettings.From(Values((CommonParameters.Seed, "7"), (S.Failures, "5"), (S.Executor, S.ThreadPool)));
        var b = PoolSettings.From(Values((CommonParameters.Seed, "7"), (S.Failures, "5"), (S.Executor, S.ProcessPerTask)));
        var c = PoolSettings.From(Values((CommonParameters.Seed, "8"), (S.Failures, "5")));

        Assert.Equal(Enumerable.Range(0, 20).Select(a.SecondsOf), Enumerable.Range(0, 20).Select(b.SecondsOf));
        Assert.Equal(Enumerable.Range(0, 20).Where(a.Fails), Enumerable.Range(0, 20).Where(b.Fails));
        Assert.Equal(5, Enumerable.Range(0, 20).Count(a.Fails));
        Assert.NotEqual(Enumerable.Range(0, 20).Select(a.SecondsOf), Enumerable.Range(0, 20).Select(c.SecondsOf));
        Assert.All(Enumerable.Range(0, 20), t => Assert.InRange(a.SecondsOf(t), 0.1, 0.3));
    }

    [Fact]
    public void A_result_word_carries_the_task_the_error_flag_and_all_32_bits_of_the_value()
    {
        foreach (var r in new[] { new PoolResult(0, false, 0), new PoolResult(999, true, uint.MaxValue), new PoolResult(17, false, 0x8000_0001) })
        {
            Assert.Equal(r, PoolResult.Unpack(r.Pack()));
            Assert.NotEqual(PoolResult.StopMarker, r.Pack());
        }
    }
}
