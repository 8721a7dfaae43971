using Microsoft.Extensions.DependencyInjection;
using Playground.Client.Pages;
using Playground.Shared.Runs;

namespace Playground.Client.Tests;

public sealed class HomePageTests : PlaygroundTestContext
{

    [Fact]
    public void Gallery_links_available_scenarios_and_greys_out_coming_ones()
    {
        var page = Render<Home>();

        var link = page.Find("a[data-scenario='producer-consumer']");
        Assert.Equal("/play/producer-consumer", link.GetAttribute("href"));
        Assert.Contains("包子", link.TextContent, StringComparison.Ordinal);

        var semaphore = page.Find("a[data-scenario='semaphore']");
        Assert.Equal("/play/semaphore", semaphore.GetAttribute("href"));
        Assert.Equal("/play/event", page.Find("a[data-scenario='event']").GetAttribute("href"));
        Assert.Equal("/play/ticket-booking", page.Find("a[data-scenario='ticket-booking']").GetAttribute("href"));

        var coming = page.FindAll(".scenario-card-coming");
        Assert.Single(coming);
        Assert.All(coming, c => Assert.Contains("coming", c.TextContent, StringComparison.Ordinal));
        Assert.Empty(page.FindAll("a[data-scenario='pool']"));
    }
}
