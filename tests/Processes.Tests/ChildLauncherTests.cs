using Playground.Scenarios.Engine;
using Playground.Scenarios.Processes;
using Playground.Scenarios.Recording;
using Playground.Shared.Catalog;
using Playground.Shared.Events;
using Playground.Shared.Parameters;
using static Playground.Processes.Tests.ProcessTestSupport;

namespace Playground.Processes.Tests;

/// <summary>The server-side actor of a processes run, and the children it starts on request.</summary>
[Collection(ChildProcessCollection.Name)]
public sealed class ChildLauncherTests
{
    private static readonly ScenarioDescriptor TestScenario = new()
    {
        Id = "launcher-test",
        Name = "Launcher test",
        NameZh = "启动测试",
        Summary = "A server-side actor that starts a child from the wrong thread.",
        Modes = [RunModes.Processes],
        Parameters = [CommonParameters.ModeSpec([RunModes.Processes])],
    };

    /// <summary>Its server-side actor tries to start its on-request child from a thread-pool thread.</summary>
    private sealed class WrongThreadScript(RunEnvironment environment)
        : ActorScript<object>(TestScenario, ParameterValidator.Validate(TestScenario, null).Values, environment)
    {
        public int? Pid { get; private set; }

        public override IReadOnlyList<ActorSpec> Actors { get; } =
            [new ActorSpec("main", "parent") { InServer = true }, new ActorSpec("child", "worker") { OnRequest = true }];

        protected override object CreateLocal(bool async) => new();

        protected override object CreateShared(string key) => new();

        protected override void Act(int actor, object world, IActorRecorder log, CancellationToken cancellationToken)
        {
            log.Record(EventKind.Start);
            var children = Children ?? throw new InvalidOperationException("no launcher in processes mode");
            // A pool thread may retire mid-run, and PR_SET_PDEATHSIG would kill the child with it.
            Pid = Task.Run(() => children.Start(1), cancellationToken).GetAwaiter().GetResult();
        }

        protected override ScenarioOutcome Report(object world, HostResult result) =>
            new(0, Playground.Shared.Text.Msg.Of("unit.itemsPerSecond"), [], new Playground.Shared.Runs.Verdict(true, Playground.Shared.Text.Msg.Of("pool.invariant"), []), [], []);
    }

    [Fact(Timeout = 60_000)]
    public async Task A_child_is_never_started_from_a_thread_other_than_the_runs_own()
    {
        var runId = NewRunId();
        var script = new WrongThreadScript(new RunEnvironment(runId, Worker));
        Assert.Equal(RunModes.Processes, script.Mode);
        using var recorder = new EventRecorder(script.Actors.Count, 1_000);
        var observer = new PidObserver();

        var run = Task.Factory.StartNew(() => script.Execute(recorder, observer, CancellationToken.None), CancellationToken.None,
            TaskCreationOptions.LongRunning, TaskScheduler.Default);
        var failure = await Assert.ThrowsAsync<AggregateException>(() => run.WaitAsync(TimeSpan.FromSeconds(30)));

        var refused = Assert.IsType<InvalidOperationException>(failure.InnerExceptions[0]);
        Assert.Contains("run's own thread", refused.Message, StringComparison.Ordinal);
        Assert.Null(script.Pid);
        Assert.Equal(0, observer.PidOf(1));
        Assert.Equal(EventKind.Crash, Lane(recorder, 0)[^1].Kind);
        Assert.Empty(Lane(recorder, 1));
        Assert.Equal(Environment.ProcessId, observer.PidOf(0));
    }
}
