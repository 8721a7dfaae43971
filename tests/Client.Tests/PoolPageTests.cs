using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using Playground.Client.Components;
using Playground.Client.Pages;
using Playground.Shared.Catalog;
using S = Playground.Shared.Catalog.PoolSchema;

namespace Playground.Client.Tests;

/// <summary>The pool's page: its executor knob says where the actors run, in place of the mode row.</summary>
public sealed class PoolPageTests : PlaygroundTestContext
{
    private IRenderedComponent<Play> RenderPool(string relativeUrl = "/play/pool")
    {
        Services.GetRequiredService<NavigationManager>().NavigateTo(relativeUrl);
        return Render<Play>(p => p.Add(c => c.ScenarioId, S.Id));
    }

    [Fact]
    public void The_executor_knob_takes_the_place_of_the_mode_row_and_the_lesson_is_explained()
    {
        var page = RenderPool("/play/pool?executor=processPerTask&tasks=100");

        Assert.Empty(page.FindAll(".mode-selector"));
        Assert.Empty(page.FindAll(".mode-note"));
        Assert.Equal("A process per task", page.Find("[data-param=executor] input").GetAttribute("value"));
        Assert.Equal("100", page.Find("[data-param=tasks] input").GetAttribute("value"));
        Assert.Contains("Pool(4)", page.Find(".explanation").TextContent, StringComparison.Ordinal);

        var started = PressRun(page);
        Assert.Equal(S.Id, started.Scenario);
        Assert.Equal(S.ProcessPerTask, started.Parameters![S.Executor]);
        Assert.False(started.Parameters.ContainsKey(CommonParameters.Mode));
    }

    [Fact]
    public async Task Executors_that_need_processes_are_offered_disabled_when_the_server_cannot_start_them()
    {
        // As the server's gallery lists the pool when the worker program is missing.
        Runs.Scenarios = [S.Descriptor with { Modes = [RunModes.Threads, RunModes.Async] }];
        var page = RenderPool("/play/pool?executor=threadPool");

        var executor = page.FindComponents<ParameterField>().Single(f => f.Instance.Spec.Name == S.Executor);
        Assert.Equal([S.ProcessPerTask, S.ProcessPool], executor.Instance.Unavailable.Order(StringComparer.Ordinal));
        Assert.All(page.FindComponents<ParameterField>().Where(f => f.Instance.Spec.Name != S.Executor), f => Assert.Empty(f.Instance.Unavailable));

        var select = executor.FindComponent<MudSelect<string>>();
        await select.InvokeAsync(() => select.Instance.OpenMenu());

        var items = page.FindComponents<MudSelectItem<string>>().ToDictionary(i => i.Instance.Value!, i => i.Instance.Disabled);
        Assert.True(items[S.ProcessPool]);
        Assert.True(items[S.ProcessPerTask]);
        Assert.False(items[S.ThreadPool]);
        Assert.False(items[S.Async]);
    }

    [Fact]
    public void The_pools_timeline_labels_task_and_spawn_spans_with_their_task_numbers()
    {
        var module = JSInterop.SetupModule("./_content/Playground.Client/timeline.js");
        var drawn = module.SetupModule(i => i.Identifier == "createTimeline");

        Render<Timeline>(p => p.Add(t => t.RunId, "run1").Add(t => t.Scenario, S.Descriptor));

        var watch = drawn.VerifyInvoke("watch");
        Assert.Equal([S.TaskResource, S.SpawnResource], Assert.IsAssignableFrom<IEnumerable<string>>(watch.Arguments[2]));
        Assert.Equal("pending", Assert.Single(Assert.IsAssignableFrom<IReadOnlyList<TimelineGauge>>(watch.Arguments[1])).Resource);
    }
}
