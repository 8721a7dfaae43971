using Playground.Shared.Catalog;

namespace Playground.Client.Scenarios.Event;

/// <summary>Page parts of the event (老板与工人) scenario.</summary>
public sealed class EventContent : IScenarioContent
{
    public string ScenarioId => EventSchema.Id;

    public Type Explanation => typeof(EventExplanation);
}
