using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using Playground.Shared.Runs;

namespace Playground.Client.Tests;

/// <summary>
/// A bUnit context with the client's services, fake run and batch services and a popover provider.
/// MudBlazor registers services that only dispose asynchronously, so xunit must dispose the
/// context through <see cref="IAsyncLifetime"/> before it calls Dispose.
/// </summary>
public abstract class PlaygroundTestContext : BunitContext, IAsyncLifetime
{
    protected PlaygroundTestContext()
    {
        JSInterop.Mode = JSRuntimeMode.Loose;
        Services.AddPlaygroundClient();
        Services.AddSingleton<IRunService>(Runs);
        Services.AddSingleton<IBatchService>(Batches);
        Services.AddSingleton<ISavedRunService>(Saved);
        // The pages render as they do in the browser's circuit: interactive, on the server.
        SetRendererInfo(new Microsoft.AspNetCore.Components.RendererInfo("Server", isInteractive: true));
        Render<MudPopoverProvider>();
    }

    internal FakeRunService Runs { get; } = new();

    internal FakeBatchService Batches { get; } = new();

    internal FakeSavedRunService Saved { get; } = new();

    Task IAsyncLifetime.InitializeAsync() => Task.CompletedTask;

    async Task IAsyncLifetime.DisposeAsync() => await base.DisposeAsync();
}
