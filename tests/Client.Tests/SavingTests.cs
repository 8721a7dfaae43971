using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using Playground.Client.Components;
using Playground.Client.Pages;
using Playground.Shared.Catalog;
using Playground.Shared.Runs;
using Playground.Shared.Text;

namespace Playground.Client.Tests;

/// <summary>Save and delete on a run's page, for its owner only, and the list of one's saved runs.</summary>
public sealed class SavingTests : PlaygroundTestContext
{
    private static RunInfo Run(string id, RunState state, DateTimeOffset? savedAt = null) => new(id, ProducerConsumerSchema.Id,
        new Dictionary<string, object>(), state, null, null, DateTimeOffset.UnixEpoch, null, null, [], null, savedAt);

    [Fact]
    public void The_owner_saves_a_finished_run_and_then_sees_it_saved()
    {
        Runs.Known["abcdefghij"] = Run("abcdefghij", RunState.Completed);
        RunInfo? changed = null;
        var saving = Render<RunSaving>(p => p.Add(c => c.Run, Runs.Known["abcdefghij"]).Add(c => c.Own, true)
            .Add(c => c.Changed, (RunInfo? info) => changed = info));

        Runs.Known["abcdefghij"] = Run("abcdefghij", RunState.Completed, DateTimeOffset.UnixEpoch);
        saving.Find("button.save-run").Click();

        Assert.Equal(["abcdefghij"], Saved.SaveRequests);
        Assert.True(changed?.Saved);
    }

    [Fact]
    public void Others_cannot_save_or_delete_and_a_live_run_cannot_be_saved()
    {
        var others = Render<RunSaving>(p => p.Add(c => c.Run, Run("abcdefghij", RunState.Completed)).Add(c => c.Own, false));
        var live = Render<RunSaving>(p => p.Add(c => c.Run, Run("abcdefghij", RunState.Running)).Add(c => c.Own, true));
        var savedByOthers = Render<RunSaving>(p => p.Add(c => c.Run, Run("abcdefghij", RunState.Completed, DateTimeOffset.UnixEpoch)).Add(c => c.Own, false));

        Assert.Empty(others.FindAll("button"));
        Assert.Empty(live.FindAll("button"));
        Assert.Single(savedByOthers.FindAll(".saved-chip"));
        Assert.Empty(savedByOthers.FindAll("button.delete-saved"));
    }

    [Fact]
    public void Deleting_asks_first_and_a_refused_save_says_why()
    {
        Saved.Items.Add(new SavedRunInfo("abcdefghij", ProducerConsumerSchema.Id, "/runs/abcdefghij", new Dictionary<string, object>(), RunState.Completed,
            true, 10, 5, 50, DateTimeOffset.UnixEpoch, null, null, DateTimeOffset.UnixEpoch));
        var saving = Render<RunSaving>(p => p.Add(c => c.Run, Run("abcdefghij", RunState.Completed, DateTimeOffset.UnixEpoch)).Add(c => c.Own, true));

        saving.Find("button.delete-saved").Click();
        Assert.Single(Saved.Items);
        saving.Find("button.delete-saved-yes").Click();
        Assert.Empty(Saved.Items);

        Saved.Refusal = Msg.Of("save.tooLarge", ("id", "bcdefghijk"), ("events", 3_000_000), ("max", 2_000_000));
        var refused = Render<RunSaving>(p => p.Add(c => c.Run, Run("bcdefghijk", RunState.Completed)).Add(c => c.Own, true));
        refused.Find("button.save-run").Click();
        Assert.Contains("2,000,000", Render<MudBlazor.MudSnackbarProvider>().Markup, StringComparison.Ordinal);
    }

    [Fact]
    public void The_saved_list_shows_each_run_with_its_verdict_and_link_and_filters_by_scenario()
    {
        Saved.Items.Add(new SavedRunInfo("abcdefghij", TicketBookingSchema.Id, "/runs/abcdefghij", new Dictionary<string, object>(), RunState.Completed,
            false, 260, 36, 80, DateTimeOffset.UnixEpoch, null, null, DateTimeOffset.UnixEpoch));
        Saved.Items.Add(new SavedRunInfo("bcdefghijk", ProducerConsumerSchema.Id, "/runs/bcdefghijk", new Dictionary<string, object>(), RunState.Completed,
            true, 120, 40, 90, DateTimeOffset.UnixEpoch, null, null, DateTimeOffset.UnixEpoch));
        Services.GetRequiredService<NavigationManager>().NavigateTo("/saved");

        var page = Render<SavedRunsPage>();

        Assert.Equal(2, page.FindAll("tr[data-run]").Count);
        Assert.Contains("violated", page.Find("tr[data-run='abcdefghij']").TextContent, StringComparison.Ordinal);
        Assert.Equal("runs/bcdefghijk", page.Find("tr[data-run='bcdefghijk'] a.saved-link").GetAttribute("href"));
        Assert.Contains("2 saved", page.Find(".saved-total").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public void With_nothing_saved_the_list_says_how_to_save()
    {
        Services.GetRequiredService<NavigationManager>().NavigateTo("/saved");

        var page = Render<SavedRunsPage>();

        Assert.Contains("No saved runs yet", page.Find(".saved-none").TextContent, StringComparison.Ordinal);
    }
}
