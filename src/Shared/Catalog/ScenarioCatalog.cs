namespace Playground.Shared.Catalog;

/// <summary>Every scenario the gallery shows, the runnable ones and those still to come.</summary>
public static class ScenarioCatalog
{
    public static IReadOnlyList<ScenarioDescriptor> Coming { get; } =
    [
        new() { Id = "pool", Name = "Pool", NameZh = "进程池", Available = false,
            Summary = "A fixed set of workers takes tasks from a queue; compare a pool against a new process per task." },
    ];
}
