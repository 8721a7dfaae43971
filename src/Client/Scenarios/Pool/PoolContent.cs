using Playground.Shared.Catalog;

namespace Playground.Client.Scenarios.Pool;

/// <summary>Page parts of the pool (进程池) scenario.</summary>
public sealed class PoolContent : IScenarioContent
{
    public string ScenarioId => PoolSchema.Id;

    public Type Explanation => typeof(PoolExplanation);
}
