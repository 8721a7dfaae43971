using Playground.Shared.Catalog;

namespace Playground.Client.Scenarios.Semaphore;

/// <summary>Page parts of the semaphore (停车位) scenario.</summary>
public sealed class SemaphoreContent : IScenarioContent
{
    public string ScenarioId => SemaphoreSchema.Id;

    public Type Explanation => typeof(SemaphoreExplanation);
}
