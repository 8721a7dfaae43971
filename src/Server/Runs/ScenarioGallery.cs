using Playground.Scenarios.Engine;
using Playground.Server.Processes;
using Playground.Shared.Catalog;

namespace Playground.Server.Runs;

/// <summary>
/// The scenarios as this server can run them: when the worker is missing, processes mode is left
/// out of every scenario's modes, so the page offers only what will work.
/// </summary>
public sealed class ScenarioGallery(ScenarioRegistry registry, WorkerLocator worker)
{
    public IReadOnlyList<ScenarioDescriptor> Scenarios { get; } = worker.Command is not null
        ? registry.Gallery()
        : [.. registry.Gallery().Select(s => s with { Modes = [.. s.Modes.Where(m => m != RunModes.Processes)] })];
}
