using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Xunit;

namespace Playground.Browser.Tests;

/// <summary>What the browser tests ask of a timeline: its replay played to the end, and its picture against the summary.</summary>
internal static partial class TimelineChecks
{
    /// <summary>
    /// Starts the replay (and, for a run long enough to be seen playing, sees it play), sets it to ten
    /// times real speed and waits until it has stopped at the end, drawn from tiles.
    /// </summary>
    public static async Task ReplayToTheEndAsync(IPage page, ILocator canvas, float timeout, bool seePlaying)
    {
        await page.Locator(".replay-play").ClickAsync();
        if (seePlaying)
        {
            await Assertions.Expect(canvas).ToHaveAttributeAsync("data-replay", Playing(), new() { Timeout = timeout });
        }

        await page.Locator(".replay-speed").ClickAsync();
        await page.GetByRole(AriaRole.Option, new() { Name = "10×" }).ClickAsync();
        await Assertions.Expect(canvas).ToHaveAttributeAsync("data-replay", Paused(), new() { Timeout = timeout });
        await Assertions.Expect(canvas).ToHaveAttributeAsync("data-detail", "tiles", new() { Timeout = timeout });
    }

    /// <summary>
    /// Each lane's drawn time running, blocked and sleeping (the canvas's <c>data-drawn</c>, ns) is its
    /// actor's in the summary (<paramref name="actors"/>, ms) within <paramref name="toleranceMs"/>.
    /// </summary>
    public static async Task AssertDrawnAsSummaryAsync(ILocator canvas, IReadOnlyList<JsonElement> actors, double toleranceMs)
    {
        var drawn = (await canvas.GetAttributeAsync("data-drawn"))!.Split(';')
            .Select(lane => lane.Split(',').Select(v => double.Parse(v, CultureInfo.InvariantCulture) / 1e6).ToArray()).ToList();
        Assert.Equal(actors.Count, drawn.Count);
        for (var i = 0; i < actors.Count; i++)
        {
            Assert.InRange(Math.Abs(actors[i].GetProperty("busyMs").GetDouble() - drawn[i][0]), 0, toleranceMs);
            Assert.InRange(Math.Abs(actors[i].GetProperty("blockedMs").GetDouble() - drawn[i][1]), 0, toleranceMs);
            Assert.InRange(Math.Abs(actors[i].GetProperty("sleepMs").GetDouble() - drawn[i][2]), 0, toleranceMs);
        }
    }

    [GeneratedRegex("playing$")]
    private static partial Regex Playing();

    [GeneratedRegex("paused$")]
    private static partial Regex Paused();
}
