using System.Text.RegularExpressions;
using AngleSharp.Dom;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using Playground.Client.Pages;
using Playground.Shared.Catalog;

namespace Playground.Client.Tests;

public sealed partial class EventPageTests : PlaygroundTestContext
{
    // Python's names the lesson is about, and the kernel's, stay as they are on the Chinese page.
    private static readonly HashSet<string> ProperNames = new(StringComparer.Ordinal)
    {
        "Python", "Event", "set", "clear", "wait", "False", "multiprocessing", "asyncio", "futex",
    };

    private IRenderedComponent<Play> RenderPlay()
    {
        Services.GetRequiredService<NavigationManager>().NavigateTo("/play/event");
        return Render<Play>(p => p.Add(c => c.ScenarioId, EventSchema.Id));
    }

    private static List<string> VisibleTexts(IElement root) =>
        root.GetDescendants().OfType<IText>()
            .Where(t => t.ParentElement?.Closest("code, script, style") is null && !string.IsNullOrWhiteSpace(t.Data))
            .Select(t => t.Data.Trim())
            .ToList();

    [Fact]
    public void The_event_page_explains_the_lesson_and_offers_all_three_modes()
    {
        using var culture = new CultureScope("en");
        var page = RenderPlay();

        var text = page.Find(".play-page").TextContent;
        Assert.Contains("clears the flag itself", text, StringComparison.Ordinal);
        Assert.Contains("every run ends", text, StringComparison.Ordinal);
        Assert.Contains("Sets by the boss", text, StringComparison.Ordinal);
        Assert.Empty(page.FindAll(".mode-note"));
        Assert.All(page.FindAll(".mode-selector input[type=radio]"), r => Assert.False(r.HasAttribute("disabled")));
    }

    [Fact]
    public void The_event_page_in_Chinese_shows_no_English_but_the_names_of_the_lesson()
    {
        using var culture = new CultureScope("zh-CN");
        var page = RenderPlay();

        var texts = VisibleTexts(page.Find(".play-page"));
        Assert.Contains(texts, t => t.Contains("老板", StringComparison.Ordinal));
        var english = texts.SelectMany(t => Words().Matches(t).Select(m => m.Value)).Where(w => !ProperNames.Contains(w)).Distinct().ToList();
        Assert.True(english.Count == 0, "English on the Chinese page: " + string.Join(", ", english));
        Assert.DoesNotContain(texts, t => RawKey().IsMatch(t));
    }

    [GeneratedRegex(@"[A-Za-z_]{2,}")]
    private static partial Regex Words();

    [GeneratedRegex(@"\b(event|param|scenario|play|unit|role|gauge)\.[A-Za-z]")]
    private static partial Regex RawKey();
}
