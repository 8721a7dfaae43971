using Microsoft.Playwright;
using Playground.Shared.Events;
using Playground.Tests.Common;
using Xunit;

namespace Playground.Browser.Tests;

public sealed class PlayPageTests(BrowserFixture fixture) : IClassFixture<BrowserFixture>
{
    private static readonly float Timeout = 60_000;

    [Fact(Timeout = 180_000)]
    public async Task A_share_link_restores_the_form_and_a_run_draws_lanes_and_says_the_invariant_held()
    {
        var page = await fixture.Browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1400, Height = 1000 } });
        try
        {
            var link = new Uri(fixture.Site.BaseUri, "play/producer-consumer?consumers=3&items=6&timeScale=0.1");
            await page.GotoAsync(link.ToString());

            // The link restored the form.
            var consumers = page.Locator("[data-param=consumers] input");
            await Assertions.Expect(consumers).ToHaveValueAsync("3", new() { Timeout = Timeout });
            await Assertions.Expect(page.Locator("[data-param=items] input")).ToHaveValueAsync("6");

            // Wait for the interactive circuit before clicking.
            var run = page.Locator(".run-button");
            await Assertions.Expect(run).ToBeEnabledAsync(new() { Timeout = Timeout });
            await Assertions.Expect(page.Locator("[data-interactive=true]")).ToBeVisibleAsync(new() { Timeout = Timeout });
            await run.ClickAsync();

            // Lanes appear: 1 producer + 3 consumers, with events drawn.
            var canvas = page.Locator("canvas[data-lanes]");
            await Assertions.Expect(canvas).ToHaveAttributeAsync("data-lanes", "4", new() { Timeout = Timeout });

            // The verdict says held.
            var verdict = page.Locator(".verdict-held");
            await Assertions.Expect(verdict).ToBeVisibleAsync(new() { Timeout = Timeout });
            await Assertions.Expect(verdict).ToContainTextAsync("held");
            var events = int.Parse(await canvas.GetAttributeAsync("data-events") ?? "0", System.Globalization.CultureInfo.InvariantCulture);
            Assert.True(events > 0, "the timeline received no events");

            // The scenario's one gauge is charted, listed in the legend and summed up, by its own name.
            await Assertions.Expect(canvas).ToHaveAttributeAsync("data-gauges", "depth");
            await Assertions.Expect(page.Locator(".timeline-legend-gauge[data-gauge=depth]")).ToHaveTextAsync("Queue depth");
            await Assertions.Expect(page.Locator(".timeline-legend-mark[data-mark=put]")).ToBeVisibleAsync();
            var gaugeRow = page.Locator(".gauges-table tr[data-gauge=depth]");
            await Assertions.Expect(gaugeRow).ToContainTextAsync("Queue depth");
            await Assertions.Expect(gaugeRow).ToHaveAttributeAsync("data-limit", "5");
            var max = int.Parse(await gaugeRow.GetAttributeAsync("data-max") ?? "-1", System.Globalization.CultureInfo.InvariantCulture);
            Assert.InRange(max, 1, 5);
            await Assertions.Expect(page.Locator(".actors-table thead")).ToContainTextAsync("Items");

            var shots = Path.Combine(SiteProcess.RepositoryRoot(), "TestResults", "screenshots");
            Directory.CreateDirectory(shots);
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(shots, "play-producer-consumer.png"), FullPage = true });
        }
        finally
        {
            await page.CloseAsync();
        }
    }

    [Fact(Timeout = 120_000)]
    public async Task The_script_moves_lanes_exactly_as_the_shared_lane_state_machine_it_is_given()
    {
        // Every kind after every state a lane can be in: idle, running, sleeping, blocked, done.
        string[][] leads = [[], ["start"], ["start", "sleep"], ["start", "wait"], ["start", "end"]];
        var cases = leads.SelectMany(lead => EventKinds.All.Select(kind => (string[])[.. lead, kind])).ToArray();
        var expected = cases.Select(kinds => kinds.Aggregate(LaneState.Idle, (state, name) =>
        {
            Assert.True(EventKinds.TryParse(name, out var kind));
            return LaneStates.Next(state, kind);
        }).Name()).ToArray();

        var page = await fixture.Browser.NewPageAsync();
        try
        {
            await page.GotoAsync(new Uri(fixture.Site.BaseUri, "play/producer-consumer").ToString());
            var actual = await page.EvaluateAsync<string[]>(
                """
                async ([table, kinds, cases]) => {
                  const m = await import(new URL('_content/Playground.Client/timeline.js', document.baseURI).href);
                  const rules = new m.LaneRules(table, kinds);
                  return cases.map(sequence => {
                    const model = new m.RunModel(rules, []);
                    sequence.forEach((kind, i) => model.add({ t: i * 1000, actor: 0, kind, resource: null, value: 0, level: -1 }));
                    const lane = model.lane(0);
                    return lane.done ? 'done' : lane.current ? lane.current.state : 'idle';
                  });
                }
                """,
                new object[] { LaneStates.Table, EventKinds.All, cases });

            for (var i = 0; i < cases.Length; i++)
            {
                Assert.True(expected[i] == actual[i], $"after {string.Join(", ", cases[i])} the script says {actual[i]}, the shared machine {expected[i]}");
            }
        }
        finally
        {
            await page.CloseAsync();
        }
    }

    [Fact(Timeout = 120_000)]
    public async Task A_bad_link_names_the_bad_parameter_and_keeps_the_default()
    {
        var page = await fixture.Browser.NewPageAsync();
        try
        {
            await page.GotoAsync(new Uri(fixture.Site.BaseUri, "play/producer-consumer?consumers=abc").ToString());
            await Assertions.Expect(page.Locator("[data-field=consumers]")).ToBeVisibleAsync(new() { Timeout = Timeout });
            await Assertions.Expect(page.Locator("[data-param=consumers] input")).ToHaveValueAsync("2");
        }
        finally
        {
            await page.CloseAsync();
        }
    }
}
