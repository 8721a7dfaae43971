namespace Playground.Client.Scenarios;

/// <summary>
/// The scenario-specific parts of the play page. One implementation per scenario folder,
/// registered in <see cref="PlaygroundClientServiceCollectionExtensions.AddPlaygroundClient"/>;
/// the page looks it up by id, so adding a scenario touches no switch statement.
/// </summary>
public interface IScenarioContent
{
    /// <summary>The scenario id this content belongs to.</summary>
    string ScenarioId { get; }

    /// <summary>A component (no required parameters) that explains the lesson.</summary>
    Type Explanation { get; }
}

/// <summary>Finds the content registered for a scenario.</summary>
public sealed class ScenarioContentRegistry
{
    private readonly Dictionary<string, IScenarioContent> _byId;

    public ScenarioContentRegistry(IEnumerable<IScenarioContent> contents)
    {
        _byId = new Dictionary<string, IScenarioContent>(StringComparer.OrdinalIgnoreCase);
        foreach (var content in contents)
        {
            _byId[content.ScenarioId] = content;
        }
    }

    public IScenarioContent? Find(string scenarioId) => _byId.GetValueOrDefault(scenarioId);
}
