using Playground.Scenarios.Engine;
using Playground.Scenarios.Processes;
using Playground.Shared.Catalog;
using Playground.Shared.Parameters;

namespace Playground.Scenarios.ProducerConsumer;

/// <summary>包子: producers make items into a bounded queue, consumers take them out.</summary>
public sealed class ProducerConsumerScenario : IScenario
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

    public IScenarioExecution Create(ParameterValues values, RunEnvironment? environment = null) =>
        new ProducerConsumerScript(values, environment);
}
