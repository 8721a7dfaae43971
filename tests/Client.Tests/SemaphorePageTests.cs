using System.Text.RegularExpressions;
using AngleSharp.Dom;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using Playground.Client.Pages;
using Playground.Shared.Catalog;

namespace Playground.Client.Tests;

/// <summary>The semaphore (停车位) page: its knobs, its explanation, in both languages.</summary>
public sealed partial class SemaphorePageTests : PlaygroundTestContext
{
    // Python names the lesson is about, and words that stay as they are on the Chinese page.
    private static readonly HashSet<string> ProperNames = new(StringComparer.Ordinal)
    {
        "Semaphore", "BoundedSemaphore", "threading", "asyncio", "multiprocessing", "release", "acquire", "ValueError",
        "time", "sleep", "POSIX", "pid", "Python",
    };

    private IRenderedComponent<Play> RenderPlay(string relativeUrl)
    {
        Services.GetRequiredService<NavigationManager>().NavigateTo(relativeUrl);
        return Render<Play>(p => p.Add(c => c.ScenarioId, SemaphoreSchema.Id));
    }

    private static List<string> VisibleTexts(IElement root) =>
        [.. root.GetDescendants().OfType<IText>()
            .Where(t => t.ParentElement?.Closest("code, script, style") is null && !string.IsNullOrWhiteSpace(t.Data))
            .Select(t => t.Data.Trim())];

    [Fact]
    public void The_page_in_Chinese_shows_the_lesson_and_no_English_but_proper_names_and_no_raw_keys()
    {
        using var culture = new CultureScope("zh-CN");
        var page = RenderPlay("/play/semaphore?timeScale=0.5");

        var texts = VisibleTexts(page.Find(".play-page"));
        Assert.Contains(texts, t => t.Contains("停车场", StringComparison.Ordinal));
        Assert.Contains(texts, t => t.Contains("有界信号量", StringComparison.Ordinal));
        var english = texts.SelectMany(t => Words().Matches(t).Select(m => m.Value)).Where(w => !ProperNames.Contains(w)).Distinct().ToList();
        Assert.True(english.Count == 0, "English on the Chinese page: " + string.Join(", ", english));
        Assert.DoesNotContain(texts, t => RawKey().IsMatch(t));
    }

    [Fact]
    public void The_page_in_English_offers_every_mode_and_explains_its_own_default_time_scale()
    {
        using var culture = new CultureScope("en");
        var page = RenderPlay("/play/semaphore?timeScale=0.5");

        var texts = VisibleTexts(page.Find(".play-page"));
        Assert.Contains(texts, t => t.Contains("Spaces (permits)", StringComparison.Ordinal));
        Assert.Contains(texts, t => t.Contains("it only counts", StringComparison.Ordinal));
        Assert.Contains("100 s at 1, about 10 s at 0.1", page.Find("[data-param='timeScale']").TextContent, StringComparison.Ordinal);
        Assert.DoesNotContain(texts, t => RawKey().IsMatch(t));
    }

    [Fact]
    public void Run_sends_the_chosen_kind_and_extra_release()
    {
        var page = RenderPlay("/play/semaphore?kind=bounded&extraRelease=on&mode=async");

        var started = PressRun(page);
        Assert.Equal(SemaphoreSchema.Id, started.Scenario);
        Assert.Equal("bounded", started.Parameters!["kind"]);
        Assert.Equal("on", started.Parameters!["extraRelease"]);
        Assert.Equal("async", started.Parameters!["mode"]);
    }

    [GeneratedRegex(@"[A-Za-z_]{2,}")]
    private static partial Regex Words();

    [GeneratedRegex(@"\b(sem|param|scenario|gauge|actors|role|unit|metric|note)\.[A-Za-z]")]
    private static partial Regex RawKey();
}
