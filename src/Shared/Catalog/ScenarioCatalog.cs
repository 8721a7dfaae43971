namespace Playground.Shared.Catalog;

/// <summary>Every scenario the gallery shows, the runnable ones and those still to come.</summary>
public static class ScenarioCatalog
{
    /// <summary>Scenarios the gallery shows greyed out, as coming; none today.</summary>
    public static IReadOnlyList<ScenarioDescriptor> Coming { get; } = [];
}
