using Playground.Shared.Catalog;

namespace Playground.Client.Scenarios.ProducerConsumer;

/// <summary>Page parts of the producer/consumer (包子) scenario.</summary>
public sealed class ProducerConsumerContent : IScenarioContent
{
    public string ScenarioId => ProducerConsumerSchema.Id;

    public Type Explanation => typeof(ProducerConsumerExplanation);
}
