using System.Text.RegularExpressions;
using AngleSharp.Dom;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using Playground.Client.Pages;
using Playground.Shared.Catalog;
using Playground.Shared.Events;
using Playground.Shared.Runs;
using Playground.Shared.Text;

namespace Playground.Client.Tests;

public sealed partial class LocalizationTests : PlaygroundTestContext
{
    // Words that stay as they are on the Chinese page: Python names the tutorials use, and units.
    private static readonly HashSet<string> ProperNames = new(StringComparer.Ordinal)
    {
        "None", "FIFO", "LIFO", "queue", "Queue", "LifoQueue", "PriorityQueue", "task_done", "join", "get", "put",
        "empty", "pid", "tid", "Python", "multiprocessing", "futex", "kill", "SIGKILL", "JSON", "Pool", "Semaphore", "Event",
        "GIL", "CPU", "time", "sleep", "CPython", "map", "apply", "apply_async", "ThreadPool", "Process", "func", "range", "args", "asyncio", "NET", "shm", "dev",
    };

    private IRenderedComponent<Play> RenderPlay(string relativeUrl, string scenario = ProducerConsumerSchema.Id)
    {
        Services.GetRequiredService<NavigationManager>().NavigateTo(relativeUrl);
        return Render<Play>(p => p.Add(c => c.ScenarioId, scenario));
    }

    /// <summary>The text a reader sees: text nodes outside code, and titles, labels and helper texts.</summary>
    private static List<string> VisibleTexts(IElement root)
    {
        var texts = new List<string>();
        foreach (var node in root.GetDescendants())
        {
            if (node is IText text && text.ParentElement?.Closest("code, script, style") is null && !string.IsNullOrWhiteSpace(text.Data))
            {
                texts.Add(text.Data.Trim());
            }
            else if (node is IElement element)
            {
                foreach (var attribute in new[] { "title", "aria-label", "placeholder" })
                {
                    if (element.GetAttribute(attribute) is { Length: > 0 } value)
                    {
                        texts.Add(value);
                    }
                }
            }
        }

        return texts;
    }

    private static IElement Root(IRenderedComponent<Play> page) => page.Find(".play-page");

    [Fact]
    public void The_play_page_in_Chinese_shows_no_English_but_proper_names_and_no_raw_keys()
    {
        using var culture = new CultureScope("zh-CN");
        var page = RenderPlay("/play/producer-consumer");

        var texts = VisibleTexts(Root(page));
        Assert.Contains(texts, t => t.Contains("生产者", StringComparison.Ordinal));
        var english = texts.SelectMany(t => Words().Matches(t).Select(m => m.Value)).Where(w => !ProperNames.Contains(w)).Distinct().ToList();
        Assert.True(english.Count == 0, "English on the Chinese page: " + string.Join(", ", english));
        Assert.DoesNotContain(texts, t => RawKey().IsMatch(t));
    }

    [Fact]
    public void The_pool_page_in_Chinese_shows_no_English_but_proper_names_and_no_raw_keys()
    {
        using var culture = new CultureScope("zh-CN");
        var page = RenderPlay("/play/pool", PoolSchema.Id);

        var texts = VisibleTexts(Root(page));
        Assert.Contains(texts, t => t.Contains("执行者", StringComparison.Ordinal));
        var english = texts.SelectMany(t => Words().Matches(t).Select(m => m.Value)).Where(w => !ProperNames.Contains(w)).Distinct().ToList();
        Assert.True(english.Count == 0, "English on the Chinese page: " + string.Join(", ", english));
        Assert.DoesNotContain(texts, t => RawKey().IsMatch(t));
    }

    [Fact]
    public void The_gallery_in_Chinese_shows_no_English_but_proper_names()
    {
        using var culture = new CultureScope("zh-CN");
        var gallery = Render<Home>();

        var texts = VisibleTexts(gallery.Find(".mud-container"));
        Assert.Contains(texts, t => t.Contains("选一个场景", StringComparison.Ordinal));
        var english = texts.SelectMany(t => Words().Matches(t).Select(m => m.Value)).Where(w => !ProperNames.Contains(w)).Distinct().ToList();
        Assert.True(english.Count == 0, "English on the Chinese gallery: " + string.Join(", ", english));
        Assert.DoesNotContain(texts, t => RawKey().IsMatch(t));
    }

    [Fact]
    public void The_play_page_in_English_shows_no_raw_keys()
    {
        using var culture = new CultureScope("en");
        var page = RenderPlay("/play/producer-consumer");

        var texts = VisibleTexts(Root(page));
        Assert.Contains(texts, t => t.Contains("Producers", StringComparison.Ordinal));
        Assert.DoesNotContain(texts, t => RawKey().IsMatch(t));
    }

    [Fact]
    public void A_finished_run_reads_in_the_language_of_whoever_looks_at_it()
    {
        var summary = new RunSummary(1520, 13.18, Msg.Of("unit.itemsPerSecond"), 97, 0, [],
            [new RunMetric("produced", Msg.Of("pc.metric.produced"), 20)],
            new Verdict(false, Msg.Of("pc.invariant"), [Msg.Of("pc.evidence.lost", ("count", 2), ("items", new List<string> { "18", "19" }), ("more", ""))],
                [18, 19], Msg.Of("pc.note.lifo")),
            [Msg.Of("pc.note.polls", ("polls", 12345))], []);

        string Render(string cultureName)
        {
            using var culture = new CultureScope(cultureName);
            return Render<Playground.Client.Components.RunSummaryView>(p => p
                .Add(c => c.Summary, summary)
                .Add(c => c.State, RunState.Completed)).Markup;
        }

        var zh = Render("zh-CN");
        var en = Render("en");
        Assert.Contains("2 个包子生产了却没人吃（丢失）：18、19", zh, StringComparison.Ordinal);
        Assert.Contains("12,345 次", zh, StringComparison.Ordinal);
        Assert.Contains("2 item(s) produced but never consumed (lost): 18, 19", en, StringComparison.Ordinal);
        Assert.Contains("12,345 times", en, StringComparison.Ordinal);
        Assert.Contains("A LIFO queue hands out the newest item first", en, StringComparison.Ordinal);
    }

    [Fact]
    public void A_completed_run_that_broke_its_invariant_gets_no_green_chip()
    {
        var summary = new RunSummary(10, 1, Msg.Of("unit.itemsPerSecond"), 5, 0, [], [],
            new Verdict(false, Msg.Of("pc.invariant"), []), [], []);

        var view = Render<Playground.Client.Components.RunSummaryView>(p => p
            .Add(c => c.Summary, summary)
            .Add(c => c.State, RunState.Completed));

        var chip = view.Find(".run-state");
        Assert.Equal("false", chip.GetAttribute("data-held"));
        Assert.DoesNotContain("mud-chip-color-success", chip.ClassName, StringComparison.Ordinal);
        Assert.Contains("mud-chip-color-error", chip.ClassName, StringComparison.Ordinal);
    }

    [Fact]
    public void A_bad_value_keeps_its_message_after_the_field_loses_focus()
    {
        using var culture = new CultureScope("en");
        var page = RenderPlay("/play/producer-consumer");
        var input = page.Find("[data-param='consumers'] input");

        input.Input("99");
        input.Blur();

        var error = page.Find("[data-param='consumers'] .mud-input-error");
        Assert.Contains("1 to 16", error.TextContent, StringComparison.Ordinal);
        Assert.Equal("99", page.Find("[data-param='consumers'] input").GetAttribute("value"));
        Assert.True(page.Find("button.run-button").HasAttribute("disabled"));
        Assert.Contains("Consumers", page.Find(".run-blocked-reason").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public void A_decimal_comma_is_refused_never_read_as_a_whole_number()
    {
        using var culture = new CultureScope("en");
        var page = RenderPlay("/play/producer-consumer");

        page.Find("[data-param='produceDelay'] input").Input("0,5");

        var error = page.Find("[data-param='produceDelay'] .mud-input-error");
        Assert.Contains("write decimals with a point (0.5)", error.TextContent, StringComparison.Ordinal);
        Assert.True(page.Find("button.run-button").HasAttribute("disabled"));
    }

    [Fact]
    public void Full_width_digits_typed_with_a_Chinese_input_method_are_read_as_meant()
    {
        using var culture = new CultureScope("zh-CN");
        var page = RenderPlay("/play/producer-consumer");

        page.Find("[data-param='consumers'] input").Input("３");
        page.Find("[data-param='produceDelay'] input").Input("０．５");

        Assert.Empty(page.FindAll(".mud-input-error"));
        var started = PressRun(page);
        Assert.Equal("3", started.Parameters!["consumers"]);
        Assert.Equal("0.5", started.Parameters!["produceDelay"]);
    }

    [Fact]
    public void Share_with_an_invalid_field_names_it_and_copies_nothing()
    {
        using var culture = new CultureScope("en");
        var page = RenderPlay("/play/producer-consumer?consumers=3");

        page.Find("[data-param='consumers'] input").Input("abc");
        page.Find("button.share-button").Click();

        Assert.DoesNotContain(JSInterop.Invocations, i => i.Identifier == "navigator.clipboard.writeText");
        Assert.Equal("", page.Find(".share-field input").GetAttribute("value") ?? "");
        Assert.Contains("Fix “Consumers” to get a link", page.Find(".share-field").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public void A_setup_over_a_cap_says_so_next_to_the_fields_that_cause_it()
    {
        using var culture = new CultureScope("en");
        Runs.NextCheck = new SetupCheck(17, 160_000, 5, [new SetupLimit(Msg.Of("limit.items", ("items", 160_000), ("max", 100_000)), ["producers", "items"])]);
        var page = RenderPlay("/play/producer-consumer?producers=16&items=10000");

        Assert.Contains("a run may move at most 100,000", page.Find("[data-param='items'] .mud-input-error").TextContent, StringComparison.Ordinal);
        Assert.Contains("a run may move at most 100,000", page.Find("[data-param='producers'] .mud-input-error").TextContent, StringComparison.Ordinal);
        Assert.Empty(page.FindAll("[data-param='consumers'] .mud-input-error"));
        Assert.Contains("160,000 items", page.Find(".setup-size").TextContent, StringComparison.Ordinal);
        Assert.True(page.Find("button.run-button").HasAttribute("disabled"));
    }

    [Fact]
    public void A_long_run_at_real_speed_opens_More_with_the_time_scale_advice()
    {
        using var culture = new CultureScope("en");
        Runs.NextCheck = new SetupCheck(3, 200, 70, []);
        var page = RenderPlay("/play/producer-consumer?items=200");

        Assert.Contains("lower the time scale", page.Find(".time-scale-advice").TextContent, StringComparison.Ordinal);
        Assert.NotEmpty(page.FindAll("[data-param='timeScale'] input"));
    }

    [Fact]
    public void The_page_says_when_the_form_no_longer_matches_the_run_on_screen()
    {
        using var culture = new CultureScope("en");
        var page = RenderPlay("/play/producer-consumer");
        var parameters = ProducerConsumerSchema.Descriptor.Defaults().Values.ToDictionary(kv => kv.Key, kv => kv.Value);
        Runs.NextResult = new StartResult(new RunInfo("run-9", ProducerConsumerSchema.Id, parameters, RunState.Running, null, null,
            DateTimeOffset.UnixEpoch, null, null, [], null), StartRefusal.None, null, [], null);
        page.Find("button.run-button").Click();
        Assert.Empty(page.FindAll(".run-mismatch"));

        page.Find("[data-param='consumers'] input").Input("3");

        Assert.Contains("Consumers = 2", page.Find(".run-mismatch").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unknown_scenario_asks_the_router_for_its_not_found_page()
    {
        var navigation = Services.GetRequiredService<NavigationManager>();
        var notFound = false;
        navigation.OnNotFound += (_, _) => notFound = true;

        navigation.NavigateTo("/play/nope");
        Render<Play>(p => p.Add(c => c.ScenarioId, "nope"));

        Assert.True(notFound);
    }

    [GeneratedRegex(@"[A-Za-z_]{2,}")]
    private static partial Regex Words();

    [GeneratedRegex(@"\b(app|nav|theme|home|play|field|duration|summary|notFound|reconnect|error|pc|param|scenario|state|unit|validation|allowed|limit|busy|reason|child|note|metric|role|list|api|hub|link|mode)\.[A-Za-z]")]
    private static partial Regex RawKey();
}
