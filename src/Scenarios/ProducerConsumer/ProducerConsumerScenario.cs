using Playground.Scenarios.Engine;
using Playground.Scenarios.Processes;
using Playground.Scenarios.Recording;
using Playground.Shared.Catalog;
using Playground.Shared.Parameters;

namespace Playground.Scenarios.ProducerConsumer;

/// <summary>包子: producers make items into a bounded queue, consumers take them out.</summary>
public sealed class ProducerConsumerScenario : IScenario, IProcessScenario
{
    public ScenarioDescriptor Descriptor => ProducerConsumerSchema.Descriptor;

    public RunPlan Plan(ParameterValues values)
    {
        var s = ProducerConsumerSettings.From(values);
        // The slower side sets the pace: each producer makes its items one after another, and
        // all items are shared among the consumers.
        var produce = s.ItemsPerProducer * s.ProduceDelay;
        var consume = (double)s.TotalItems * s.ConsumeDelay / s.Consumers;
        // One delay drawn at its longest (value + jitter) is the longest an actor stays silent.
        var longestStep = Math.Max(s.ProduceDelay, s.ConsumeDelay) * (1 + s.Jitter) * s.TimeScale;
        return new RunPlan(s.Producers + s.Consumers, s.TotalItems, Math.Max(produce, consume) * s.TimeScale, longestStep);
    }

    public IScenarioExecution Create(ParameterValues values, RunEnvironment? environment = null)
    {
        var settings = ProducerConsumerSettings.From(values);
        var threads = new ProducerConsumerExecution(settings);
        return values.GetString(CommonParameters.Mode) == RunModes.Processes
            ? new ProducerConsumerProcessExecution(settings, values, environment ?? RunEnvironment.ThreadsOnly(), threads.Actors)
            : threads;
    }

    /// <summary>One actor in a child process: the same loops as threads mode, on the shared ring.</summary>
    public int RunChild(string runId, ParameterValues values, int actor, IActorRecorder recorder)
    {
        var s = ProducerConsumerSettings.From(values);
        using var queue = SharedRingQueue.Open(new SharedQueueNames(runId));
        if (actor < s.Producers)
        {
            ProducerConsumerActors.Produce(recorder, queue, queue, s, actor, null, CancellationToken.None);
        }
        else
        {
            ProducerConsumerActors.Consume(recorder, queue, queue, s, actor - s.Producers, null, CancellationToken.None);
        }

        return 0;
    }
}
