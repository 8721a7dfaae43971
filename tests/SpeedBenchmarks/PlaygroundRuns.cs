using System.Diagnostics;
using System.Globalization;
using Playground.Scenarios.Engine;
using Playground.Scenarios.Processes;
using Playground.Scenarios.ProducerConsumer;
using Playground.Scenarios.Recording;
using Playground.Shared.Catalog;
using Playground.Shared.Events;
using Playground.Shared.Parameters;
using S = Playground.Shared.Catalog.ProducerConsumerSchema;

namespace Playground.SpeedBenchmarks;

/// <summary>
/// Producer/consumer runs of the playground as a user starts them: validated knobs, the scenario's
/// own execution, every put and get recorded. What is timed is read back from the run's events.
/// </summary>
internal static class PlaygroundRuns
{
    /// <summary>The most items one producer may make in a run (the knob's upper bound).</summary>
    public static int MaxItems { get; } = (int)S.Descriptor.Parameters.Single(p => p.Name == S.Items).Max!.Value;

    /// <summary>
    /// One producer and one consumer, no delays: the consumer's gets between its 10%-th and its
    /// 90%-th, and the seconds between those two gets' stamps.
    /// </summary>
    public static Window Throughput(string mode, WorkerCommand? worker, int capacity, int items)
    {
        using var recorder = Execute(mode, worker, capacity, items, "0", out var consumer);
        var gets = Stamps(recorder, consumer, EventKind.Get);
        var lo = gets.Count / 10;
        var hi = gets.Count * 9 / 10;
        return new Window(hi - lo, Seconds(gets[lo], gets[hi]));
    }

    /// <summary>
    /// One producer making an item every <paramref name="produceDelay"/> seconds into a queue of
    /// one, so the consumer sleeps on the empty queue before each: µs from each item's put stamp to
    /// its get stamp.
    /// </summary>
    public static List<double> HandOff(string mode, WorkerCommand? worker, int items, double produceDelay)
    {
        using var recorder = Execute(mode, worker, 1, items, produceDelay.ToString("R", CultureInfo.InvariantCulture), out _);
        var puts = new Dictionary<long, long>();
        var latencies = new List<double>(items);
        foreach (var e in recorder.Snapshot())
        {
            if (e.Value == ProducerConsumerActors.SentinelItem)
            {
                continue;
            }

            if (e.Kind == EventKind.Put)
            {
                puts[e.Value] = e.Timestamp;
            }
            else if (e.Kind == EventKind.Get && puts.TryGetValue(e.Value, out var put))
            {
                latencies.Add(Seconds(put, e.Timestamp) * 1e6);
            }
        }

        return latencies;
    }

    /// <summary>A processes run of one item: each child's spawn → first event in ms, as the run's summary reports it.</summary>
    public static List<double> ChildStartup(WorkerCommand worker)
    {
        var values = Values(RunModes.Processes, 2, 1, "0");
        var execution = new ProducerConsumerScenario().Create(values, new RunEnvironment(NewRunId(), worker));
        using var recorder = new EventRecorder(execution.Actors.Count, 10_000);
        var outcome = Checked(execution.Execute(recorder, new NoObserver(), CancellationToken.None), RunModes.Processes);
        var startup = outcome.Metrics.Where(m => m.Name.StartsWith("startup:", StringComparison.Ordinal)).Select(m => m.Value).ToList();
        return startup.Count == execution.Actors.Count
            ? startup
            : throw new InvalidOperationException($"the run reported {startup.Count} start-ups for {execution.Actors.Count} children");
    }

    private static EventRecorder Execute(string mode, WorkerCommand? worker, int capacity, int items, string produceDelay, out int consumer)
    {
        var values = Values(mode, capacity, items, produceDelay);
        var execution = new ProducerConsumerScenario().Create(values, new RunEnvironment(NewRunId(), worker));
        consumer = execution.Actors.ToList().FindIndex(a => a.Role == "consumer");
        // Room for every event of the run: make, put, get, eat per item, and waits.
        var recorder = new EventRecorder(execution.Actors.Count, 8L * items + 100_000);
        try
        {
            Checked(execution.Execute(recorder, new NoObserver(), CancellationToken.None), mode);
            if (recorder.Dropped > 0)
            {
                throw new InvalidOperationException($"{recorder.Dropped} events of the {mode} run were not recorded");
            }

            return recorder;
        }
        catch
        {
            recorder.Dispose();
            throw;
        }
    }

    private static ParameterValues Values(string mode, int capacity, int items, string produceDelay)
    {
        var raw = new Dictionary<string, string?>
        {
            [CommonParameters.Mode] = mode,
            [S.Producers] = "1",
            [S.Consumers] = "1",
            [S.Items] = items.ToString(CultureInfo.InvariantCulture),
            [S.Capacity] = capacity.ToString(CultureInfo.InvariantCulture),
            [S.ProduceDelay] = produceDelay,
            [S.ConsumeDelay] = "0",
            [S.Jitter] = "0",
            [CommonParameters.TimeScale] = "1",
        };
        var result = ParameterValidator.Validate(S.Descriptor, raw);
        return result.IsValid ? result.Values : throw new ArgumentException(string.Join("; ", result.Errors.Select(e => e.Message)));
    }

    private static ScenarioOutcome Checked(ScenarioOutcome outcome, string mode) =>
        outcome.Verdict.Held && outcome.Failure is null
            ? outcome
            : throw new InvalidOperationException($"the {mode} run failed: {outcome.Failure} {string.Join("; ", outcome.Verdict.Evidence)}");

    private static List<long> Stamps(EventRecorder recorder, int actor, EventKind kind) =>
        [.. recorder.Snapshot().Where(e => e.Actor == actor && e.Kind == kind && e.Value != ProducerConsumerActors.SentinelItem).Select(e => e.Timestamp)];

    private static double Seconds(long from, long to) => (to - from) / (double)Stopwatch.Frequency;

    private static string NewRunId() => "s" + Guid.NewGuid().ToString("N")[..10];

    private sealed class NoObserver : IActorObserver
    {
        public void ActorStarted(int actor, int pid, int threadId)
        {
        }
    }
}
