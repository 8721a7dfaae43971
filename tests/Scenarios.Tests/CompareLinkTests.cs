using Playground.Shared.Runs;

namespace Playground.Scenarios.Tests;

/// <summary>The compare link's decoder: whatever is pasted, it never throws and finds an id only where one is.</summary>
public sealed class CompareLinkTests
{
    [Theory]
    [InlineData("abcdefghij", "abcdefghij")]
    [InlineData("  abcdefghij  ", "abcdefghij")]
    [InlineData("https://example.org/runs/abcdefghij", "abcdefghij")]
    [InlineData("https://example.org/runs/abcdefghij/", "abcdefghij")]
    [InlineData("http://localhost:5180/runs/abcdefghij?lang=zh#top", "abcdefghij")]
    [InlineData("/runs/abcdefghij", "abcdefghij")]
    [InlineData("https://example.org/runs/", null)]
    [InlineData("https://example.org/play/producer-consumer?consumers=3", null)]
    [InlineData("abcdefghi", null)]
    [InlineData("ABCDEFGHIJ", null)]
    [InlineData("", null)]
    [InlineData("   ", null)]
    [InlineData(null, null)]
    public void Finds_the_id_in_what_is_pasted(string? text, string? id) => Assert.Equal(id, CompareLink.RunIdIn(text));

    [Fact]
    public void Random_text_never_throws_and_any_id_found_is_well_formed_and_in_the_text()
    {
        var random = new Random(7);
        const string Pool = "abcdefghijkmnpqrstuvwxyz23456789/?#:.%&= runsABC\u4e2d";
        for (var i = 0; i < 50_000; i++)
        {
            var text = new string([.. Enumerable.Range(0, random.Next(0, random.Next(2) == 0 ? 30 : 3_000)).Select(_ => Pool[random.Next(Pool.Length)])]);

            var id = CompareLink.RunIdIn(text);

            if (id is not null)
            {
                Assert.True(RunIds.IsWellFormed(id));
                Assert.Contains(id, text, StringComparison.Ordinal);
            }
        }
    }

    [Fact]
    public void The_link_names_both_runs_escaped()
    {
        Assert.Equal("compare?a=abcdefghij&b=bcdefghijk", CompareLink.Of("abcdefghij", "bcdefghijk"));
        Assert.Equal("compare?a=a%26b&b=%3Cx%3E", CompareLink.Of("a&b", "<x>"));
    }
}
