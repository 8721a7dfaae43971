using Playground.Shared.Catalog;

namespace Playground.Scenarios.Engine;

/// <summary>The runnable scenarios, by id. New scenarios are added to <see cref="All"/>, nothing else.</summary>
public sealed class ScenarioRegistry
{
    private readonly Dictionary<string, IScenario> _byId;

    public ScenarioRegistry(IEnumerable<IScenario> scenarios)
    {
        _byId = scenarios.ToDictionary(s => s.Descriptor.Id, StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>Every scenario this engine ships.</summary>
    public static IReadOnlyList<IScenario> All { get; } = [new ProducerConsumer.ProducerConsumerScenario(), new Pool.PoolScenario(), new Semaphore.SemaphoreScenario(), new Event.EventScenario(), new TicketBooking.TicketBookingScenario()];

    public static ScenarioRegistry Default { get; } = new(All);

    public IEnumerable<IScenario> Scenarios => _byId.Values;

    public bool TryGet(string id, out IScenario scenario) => _byId.TryGetValue(id, out scenario!);

    /// <summary>Runnable scenarios first, then the catalogue's coming ones, for the gallery.</summary>
    public IReadOnlyList<ScenarioDescriptor> Gallery() =>
        [.. _byId.Values.Select(s => s.Descriptor), .. ScenarioCatalog.Coming.Where(c => !_byId.ContainsKey(c.Id))];
}
