using Playground.Scenarios.Engine;
using Playground.Scenarios.Recording;
using Playground.Shared.Catalog;
using Playground.Shared.Events;
using Playground.Shared.Parameters;
using Playground.Shared.Runs;
using Playground.Shared.Text;

namespace Playground.Scenarios.Tests;

public sealed class ActorHostTests
{
    public static TheoryData<string> LocalModes() => new() { RunModes.Threads, RunModes.Async };

    /// <summary>Actors that each wait until they are cancelled, as a consumer waits for a producer that never came.</summary>
    private sealed class WaitingScript(string mode, int actors) : ActorScript<object>(SemaphoreSchema.Descriptor, ValuesFor(mode), null)
    {
        public override IReadOnlyList<ActorSpec> Actors { get; } =
            [.. Enumerable.Range(0, actors).Select(i => new ActorSpec($"waiter-{i + 1}", "waiter"))];

        private static ParameterValues ValuesFor(string mode)
        {
            var result = ParameterValidator.Validate(SemaphoreSchema.Descriptor, new Dictionary<string, string?> { [CommonParameters.Mode] = mode });
            Assert.True(result.IsValid);
            return result.Values;
        }

        protected internal override object CreateLocal(bool async) => new();

        protected internal override void Act(int actor, object world, IActorRecorder log, CancellationToken cancellationToken)
        {
            log.Record(EventKind.Start);
            Delays.Sleep(TimeSpan.FromMinutes(5), cancellationToken);
            log.Record(EventKind.End);
        }

        protected internal override async Task ActAsync(int actor, object world, IActorRecorder log, CancellationToken cancellationToken)
        {
            log.Record(EventKind.Start);
            await Delays.SleepAsync(TimeSpan.FromMinutes(5), cancellationToken);
            log.Record(EventKind.End);
        }

        protected internal override ScenarioOutcome Report(object world, HostResult result) =>
            new(0, Msg.Of("unit.itemsPerSecond"), [], new Verdict(true, Msg.Of("test"), []), [], []);
    }

    [Theory(Timeout = 60_000)]
    [MemberData(nameof(LocalModes))]
    public async Task When_an_actor_cannot_be_started_the_ones_already_running_are_stopped_before_the_run_fails(string mode)
    {
        // The log has room for two lanes only: starting the third actor fails, after two are waiting.
        var script = new WaitingScript(mode, actors: 3);
        using var recorder = new EventRecorder(2, 10_000);

        var run = TestSupport.StartThread(() => script.Execute(recorder, new RecordingObserver(), CancellationToken.None)).Outcome;

        await Assert.ThrowsAnyAsync<Exception>(() => run.WaitAsync(TestSupport.Deadline));
        for (var a = 0; a < 2; a++)
        {
            var lane = TestSupport.Events(recorder[a]);
            Assert.True(lane.Count > 0 && lane[^1].Kind == EventKind.End, $"actor {a} was left waiting after the run failed to start");
        }
    }
}
