using Playground.Client.Pages;
using Playground.Shared.Catalog;

namespace Playground.Client.Tests;

public sealed class HomePageTests : PlaygroundTestContext
{

    [Fact]
    public void Gallery_links_every_available_scenario()
    {
        var page = Render<Home>();

        var link = page.Find("a[data-scenario='producer-consumer']");
        Assert.Equal("/play/producer-consumer", link.GetAttribute("href"));
        Assert.Contains("包子", link.TextContent, StringComparison.Ordinal);

        var pool = page.Find("a[data-scenario='pool']");
        Assert.Equal("/play/pool", pool.GetAttribute("href"));
        Assert.Contains("进程池", pool.TextContent, StringComparison.Ordinal);
        var semaphore = page.Find("a[data-scenario='semaphore']");
        Assert.Equal("/play/semaphore", semaphore.GetAttribute("href"));
        Assert.Equal("/play/event", page.Find("a[data-scenario='event']").GetAttribute("href"));
        Assert.Equal("/play/ticket-booking", page.Find("a[data-scenario='ticket-booking']").GetAttribute("href"));
        Assert.Empty(page.FindAll(".scenario-card-coming"));
    }

    [Fact]
    public void A_scenario_still_to_come_is_greyed_out_and_not_linked()
    {
        Runs.Scenarios = [.. Runs.Scenarios, new ScenarioDescriptor { Id = "dining-philosophers", Name = "Dining philosophers", NameZh = "哲学家就餐", Summary = "Five forks.", Available = false }];

        var page = Render<Home>();

        var coming = Assert.Single(page.FindAll(".scenario-card-coming"));
        Assert.Contains("coming", coming.TextContent, StringComparison.Ordinal);
        Assert.Equal("dining-philosophers", coming.GetAttribute("data-scenario"));
        Assert.Empty(page.FindAll("a[data-scenario='dining-philosophers']"));
        Assert.Equal(5, page.FindAll("a.scenario-card-link").Count);
    }
}
