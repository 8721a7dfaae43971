using Playground.Shared.Runs;

namespace Playground.Scenarios.Tests;

/// <summary>The run-id decoder of /runs/{id}: every id made passes, random text never throws and passes only when it could be an id.</summary>
public sealed class RunIdTests
{
    [Fact]
    public void Ids_made_are_well_formed_and_differ()
    {
        var ids = Enumerable.Range(0, 2_000).Select(_ => RunIds.New()).ToList();

        Assert.All(ids, id => Assert.True(RunIds.IsWellFormed(id), id));
        Assert.Equal(ids.Count, ids.Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public void Random_text_never_throws_and_passes_only_when_it_is_ten_letters_of_the_alphabet()
    {
        var random = new Random(20261207);
        const string Pool = "abcdefghijklmnopqrstuvwxyz0123456789ABCXYZ-_./%<>\"' \u00e9\u4e2d\0";
        for (var i = 0; i < 50_000; i++)
        {
            var length = random.Next(3) switch { 0 => RunIds.Length, 1 => random.Next(0, 20), _ => random.Next(0, 2_000) };
            var text = new string([.. Enumerable.Range(0, length).Select(_ => Pool[random.Next(Pool.Length)])]);
            var expected = text.Length == RunIds.Length && text.All(c => RunIds.Alphabet.Contains(c, StringComparison.Ordinal));

            Assert.Equal(expected, RunIds.IsWellFormed(text));
        }

        Assert.False(RunIds.IsWellFormed(null));
        Assert.False(RunIds.IsWellFormed(""));
    }

    [Theory]
    [InlineData("abcdefghij", true)]
    [InlineData("abcdefghi", false)]
    [InlineData("abcdefghijk", false)]
    [InlineData("abcdefghil", false)] // l is not used: it reads as 1
    [InlineData("ABCDEFGHIJ", false)]
    [InlineData("abcde fghi", false)]
    public void Edges(string text, bool wellFormed) => Assert.Equal(wellFormed, RunIds.IsWellFormed(text));
}
