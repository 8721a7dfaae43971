using AngleSharp.Dom;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using Playground.Client.Pages;
using Playground.Shared.Catalog;
using Playground.Shared.Runs;

namespace Playground.Client.Tests;

public sealed class PlayPageTests : PlaygroundTestContext
{

    private IRenderedComponent<Play> RenderPlay(string relativeUrl)
    {
        Services.GetRequiredService<NavigationManager>().NavigateTo(relativeUrl);
        return Render<Play>(p => p.Add(c => c.ScenarioId, ProducerConsumerSchema.Id));
    }

    private static IElement Field(IRenderedComponent<Play> page, string name) =>
        page.Find($"[data-param='{name}'] input");

    private static IElement RunButton(IRenderedComponent<Play> page) => page.Find("button.run-button");

    [Fact]
    public void Out_of_range_value_is_explained_inline_and_blocks_run()
    {
        var page = RenderPlay("/play/producer-consumer");
        Assert.False(RunButton(page).HasAttribute("disabled"));

        Field(page, ProducerConsumerSchema.Consumers).Input("99");

        var error = page.Find($"[data-param='{ProducerConsumerSchema.Consumers}'] .mud-input-helper-text.mud-input-error");
        Assert.Contains("Consumers", error.TextContent, StringComparison.Ordinal);
        Assert.Contains("1 to 16", error.TextContent, StringComparison.Ordinal);
        Assert.True(RunButton(page).HasAttribute("disabled"));
        Assert.Empty(Runs.Started);
    }

    [Fact]
    public void Share_link_restores_the_form()
    {
        var page = RenderPlay("/play/producer-consumer?consumers=3&capacity=2&queueKind=lifo");

        Assert.Equal("3", Field(page, ProducerConsumerSchema.Consumers).GetAttribute("value"));
        Assert.Equal("2", Field(page, ProducerConsumerSchema.Capacity).GetAttribute("value"));
        Assert.Contains("LIFO", Field(page, ProducerConsumerSchema.QueueKind).GetAttribute("value") ?? "", StringComparison.Ordinal);
        Assert.Empty(page.FindAll(".link-errors"));
        Assert.EndsWith("/play/producer-consumer?consumers=3&capacity=2&queueKind=lifo",
            page.Find(".share-field input").GetAttribute("value"), StringComparison.Ordinal);
    }

    [Fact]
    public void Bad_link_names_the_parameter_and_keeps_the_default()
    {
        var page = RenderPlay("/play/producer-consumer?consumers=abc");

        var alert = page.Find(".link-errors");
        Assert.Contains("Consumers", alert.TextContent, StringComparison.Ordinal);
        Assert.Contains("fell back to its default", alert.TextContent, StringComparison.Ordinal);
        Assert.Equal("2", Field(page, ProducerConsumerSchema.Consumers).GetAttribute("value"));
        Assert.False(RunButton(page).HasAttribute("disabled"));
    }

    [Fact]
    public void Refused_start_shows_the_reason_and_each_error()
    {
        Runs.NextResult = new StartResult(null, StartRefusal.Busy, Playground.Shared.Text.Msg.Of("busy.client", ("mine", 2), ("max", 2)),
            [new Playground.Shared.Parameters.ParameterError("items", Playground.Shared.Text.Msg.Of("limit.items", ("items", 160000), ("max", 100000)))], TimeSpan.FromSeconds(3));
        var page = RenderPlay("/play/producer-consumer");

        RunButton(page).Click();

        var alert = page.Find(".run-refused");
        Assert.Contains("you already have 2 run(s)", alert.TextContent, StringComparison.Ordinal);
        Assert.Contains("a run may move at most 100,000", alert.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public void A_mode_this_server_cannot_run_is_shown_disabled_with_a_note()
    {
        // As the server's gallery lists a scenario when the worker program is missing.
        Runs.Scenarios = [ProducerConsumerSchema.Descriptor with { Modes = [RunModes.Threads] }];
        var page = RenderPlay("/play/producer-consumer");

        Assert.Contains("Processes mode is not available on this server", page.Find(".mode-note[data-mode=processes]").TextContent, StringComparison.Ordinal);
        var radios = page.FindAll(".mode-selector input[type=radio]");
        Assert.Equal(RunModes.All.Count, radios.Count);
        Assert.True(radios[RunModes.All.ToList().IndexOf(RunModes.Processes)].HasAttribute("disabled"));
        Assert.False(radios[RunModes.All.ToList().IndexOf(RunModes.Threads)].HasAttribute("disabled"));
    }

    [Theory]
    [InlineData("en", "Async tasks", "This lesson has no async version.")]
    [InlineData("zh-CN", "异步任务", "本课没有异步版本。")]
    public void A_mode_the_lesson_does_not_have_is_said_plainly(string culture, string label, string note)
    {
        using var scope = new CultureScope(culture);
        var page = RenderPlay("/play/producer-consumer");

        var notes = page.FindAll(".mode-note");
        Assert.Equal(note, Assert.Single(notes).TextContent);
        Assert.Equal(RunModes.Async, notes[0].GetAttribute("data-mode"));
        var radios = page.FindAll(".mode-selector input[type=radio]");
        Assert.Equal(RunModes.All.Count, radios.Count);
        Assert.True(radios[RunModes.All.ToList().IndexOf(RunModes.Async)].HasAttribute("disabled"));
        Assert.Contains(label, page.Find(".mode-selector").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public void A_lesson_with_async_offers_it_like_any_other_mode()
    {
        var modes = new[] { RunModes.Threads, RunModes.Processes, RunModes.Async };
        var descriptor = ProducerConsumerSchema.Descriptor with
        {
            Modes = modes,
            Parameters = [.. ProducerConsumerSchema.Descriptor.Parameters.Select(p => p.Name == CommonParameters.Mode ? CommonParameters.ModeSpec(modes) : p)],
        };
        Runs.Scenarios = [descriptor];
        var page = RenderPlay("/play/producer-consumer");
        Assert.Empty(page.FindAll(".mode-note"));

        page.FindAll(".mode-selector input[type=radio]")[RunModes.All.ToList().IndexOf(RunModes.Async)].Click();

        Assert.EndsWith("?mode=async", page.Find(".share-field input").GetAttribute("value"), StringComparison.Ordinal);
    }

    [Fact]
    public void Queued_run_shows_its_position()
    {
        var page = RenderPlay("/play/producer-consumer");

        PressRun(page);

        Assert.Contains("position 1", page.Find(".queue-position").TextContent, StringComparison.Ordinal);
        Assert.Equal("queued", page.Find(".run-state").GetAttribute("data-state"));
        // The timeline gets the scenario: its gauge is in the legend before anything is drawn.
        Assert.Equal("Queue depth", page.Find(".timeline-legend-gauge[data-gauge=depth]").TextContent);
    }

    [Fact]
    public void Every_available_mode_can_be_picked_and_lands_in_the_link()
    {
        var page = RenderPlay("/play/producer-consumer");
        Assert.Empty(page.FindAll(".mode-note[data-mode=processes]"));

        var radios = page.FindAll(".mode-selector input[type=radio]");
        radios[RunModes.All.ToList().IndexOf(RunModes.Processes)].Click();

        Assert.EndsWith("?mode=processes", page.Find(".share-field input").GetAttribute("value"), StringComparison.Ordinal);
    }
}
