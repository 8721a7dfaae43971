using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using Playground.Client.Pages;
using Playground.Shared.Catalog;
using Playground.Shared.Runs;
using Playground.Shared.Text;

namespace Playground.Client.Tests;

/// <summary>The compare page: what differs between two runs, and a clear word for links that name no run.</summary>
public sealed class ComparePageTests : PlaygroundTestContext
{
    private static RunInfo Run(string id, string lockKind, double wallMs, bool held) => new(id, TicketBookingSchema.Id,
        new Dictionary<string, object> { ["buyers"] = 4L, ["lock"] = lockKind }, RunState.Completed, null, null,
        DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch, [],
        new RunSummary(wallMs, 4000 / wallMs, Msg.Of("unit.buyersPerSecond"), 40, 0, [], [],
            new Verdict(held, Msg.Of("ticket.invariant"), []), [], []));

    private IRenderedComponent<Compare> Open(string query)
    {
        Services.GetRequiredService<NavigationManager>().NavigateTo("/compare" + query);
        return Render<Compare>();
    }

    [Fact]
    public void Two_runs_show_their_wall_times_against_each_other_and_the_knob_that_differs()
    {
        Runs.Known["aaaaaaaaaa"] = Run("aaaaaaaaaa", TicketBookingSchema.NoLock, 250, held: false);
        Runs.Known["bbbbbbbbbb"] = Run("bbbbbbbbbb", TicketBookingSchema.ThreadLock, 1000, held: true);

        var page = Open("?a=aaaaaaaaaa&b=https://example.org/runs/bbbbbbbbbb");

        Assert.Equal(2, page.FindAll(".compare-side").Count);
        var wall = page.Find("[data-row='wall']").TextContent;
        Assert.True(wall.Contains("4× as long", StringComparison.Ordinal), wall);
        Assert.Contains("violated", page.Find("[data-row='verdict']").TextContent, StringComparison.Ordinal);
        Assert.Contains("held", page.Find("[data-row='verdict']").TextContent, StringComparison.Ordinal);
        var setting = Assert.Single(page.FindAll("[data-row='setting']"));
        Assert.Contains("Lock", setting.TextContent, StringComparison.Ordinal);
        Assert.Empty(page.FindAll(".compare-problems"));
    }

    [Fact]
    public void Links_that_name_no_run_are_said_plainly_and_the_form_stays()
    {
        var page = Open("?a=zzzzzzzzzz&b=%3Cscript%3E");

        var problems = page.Find(".compare-problems").TextContent;
        Assert.Contains("run zzzzzzzzzz is not on this server", problems, StringComparison.Ordinal);
        Assert.Contains("“<script>” is not a run’s link or id", problems, StringComparison.Ordinal);
        Assert.Single(page.FindAll(".compare-pick"));
        Assert.Empty(page.FindAll(".compare-side"));
    }

    [Fact]
    public void Without_a_link_the_page_asks_for_two_runs()
    {
        var page = Open("");

        Assert.Single(page.FindAll(".compare-pick"));
        Assert.Empty(page.FindAll(".compare-problems"));
    }
}
