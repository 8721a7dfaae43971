using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using MudBlazor.Services;
using Playground.Client.Scenarios;
using Playground.Client.Scenarios.Event;
using Playground.Client.Scenarios.Pool;
using Playground.Client.Scenarios.TicketBooking;
using Playground.Client.Scenarios.ProducerConsumer;
using Playground.Client.Scenarios.Semaphore;
using Playground.Client.Services;

namespace Playground.Client;

public static class PlaygroundClientServiceCollectionExtensions
{
    /// <summary>
    /// Registers what the client's components need: MudBlazor, localization and the scenario
    /// content registry. The host registers <c>IRunService</c> itself, one per circuit.
    /// </summary>
    public static IServiceCollection AddPlaygroundClient(this IServiceCollection services)
    {
        services.AddMudServices();
        services.AddLocalization();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IScenarioContent, ProducerConsumerContent>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IScenarioContent, SemaphoreContent>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IScenarioContent, EventContent>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IScenarioContent, TicketBookingContent>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IScenarioContent, PoolContent>());
        services.TryAddSingleton<ScenarioContentRegistry>();
        return services;
    }
}
