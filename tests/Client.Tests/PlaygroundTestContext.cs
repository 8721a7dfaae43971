using Bunit;
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

    /// <summary>
    /// Presses Run once it is on and returns the start it sent, waiting for the page's handler to
    /// get there: the page may still be rendering its first state on a busy machine.
    /// </summary>
    internal RunStartRequest PressRun<TComponent>(IRenderedComponent<TComponent> page)
        where TComponent : Microsoft.AspNetCore.Components.IComponent
    {
        var before = Runs.Started.Count;
        page.WaitForAssertion(() => Assert.False(page.Find("button.run-button").HasAttribute("disabled"), "Run is off"), TimeSpan.FromSeconds(10));
        page.Find("button.run-button").Click();
        page.WaitForAssertion(() => Assert.Equal(before + 1, Runs.Started.Count), TimeSpan.FromSeconds(10));
        return Runs.Started[^1];
    }

    Task IAsyncLifetime.InitializeAsync() => Task.CompletedTask;

    async Task IAsyncLifetime.DisposeAsync() => await base.DisposeAsync();
}
