using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using Playground.Client.Pages;
using Playground.Shared.Catalog;
using Playground.Shared.Runs;

namespace Playground.Client.Tests;

/// <summary>The page of one run by its link: who may stop it, what it offers once ended, and ids that name nothing.</summary>
public sealed class RunPageTests : PlaygroundTestContext
{
    private const string Id = "abcdefghij";

    private static RunInfo Run(RunState state) => new(Id, ProducerConsumerSchema.Id,
        new Dictionary<string, object> { ["consumers"] = 3L, ["items"] = 7L, ["mode"] = "threads" }, state, null, null,
        DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch, null, [], null);

    private IRenderedComponent<RunPage> Open(string id)
    {
        Services.GetRequiredService<NavigationManager>().NavigateTo("/runs/" + id);
        return Render<RunPage>(p => p.Add(c => c.RunId, id));
    }

    [Fact]
    public void A_live_run_of_someone_else_can_be_watched_but_not_stopped()
    {
        Runs.Known[Id] = Run(RunState.Running);

        var page = Open(Id);

        Assert.Empty(page.FindAll(".stop-button"));
        Assert.Contains("Only the person who started it", page.Find(".run-about").TextContent, StringComparison.Ordinal);
        Assert.Contains("Consumers = 3", page.Find(".run-settings").TextContent, StringComparison.Ordinal);
        Assert.Empty(page.FindAll(".replay-play"));
    }

    [Fact]
    public void The_owner_of_a_live_run_may_stop_it()
    {
        Runs.Known[Id] = Run(RunState.Running);
        Runs.Own.Add(Id);

        var page = Open(Id);

        Assert.Single(page.FindAll(".stop-button"));
    }

    [Fact]
    public void An_ended_run_offers_replay_downloads_and_a_link_to_run_it_again()
    {
        Runs.Known[Id] = Run(RunState.Completed);

        var page = Open(Id);

        Assert.Single(page.FindAll(".replay-play"));
        Assert.Equal($"api/runs/{Id}/trace", page.Find("a.download-trace").GetAttribute("href"));
        Assert.Equal($"api/runs/{Id}/events.csv", page.Find("a.download-csv").GetAttribute("href"));
        var again = page.Find("a.run-again").GetAttribute("href")!;
        Assert.StartsWith("play/producer-consumer?", again, StringComparison.Ordinal);
        Assert.Contains("consumers=3", again, StringComparison.Ordinal);
        Assert.Contains("items=7", again, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("zzzzzzzzzz")]
    [InlineData("nope")]
    [InlineData("ABCDEFGHIJ")]
    public void An_id_that_names_no_run_asks_the_router_for_its_not_found_page(string id)
    {
        var navigation = Services.GetRequiredService<NavigationManager>();
        var notFound = false;
        navigation.OnNotFound += (_, _) => notFound = true;

        Open(id);

        Assert.True(notFound);
    }
}
