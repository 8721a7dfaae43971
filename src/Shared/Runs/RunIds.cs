using System.Buffers;
using System.Security.Cryptography;

namespace Playground.Shared.Runs;

/// <summary>
/// A run's id: ten characters drawn at random from letters and digits that cannot be misread
/// (no l, o, 0 or 1), so it can be read aloud to a class and typed from a projector.
/// </summary>
public static class RunIds
{
    public const string Alphabet = "abcdefghijkmnpqrstuvwxyz23456789";
    public const int Length = 10;

    private static readonly SearchValues<char> Letters = SearchValues.Create(Alphabet);

    public static string New()
    {
        Span<char> chars = stackalloc char[Length];
        for (var i = 0; i < chars.Length; i++)
        {
            chars[i] = Alphabet[RandomNumberGenerator.GetInt32(Alphabet.Length)];
        }

        return new string(chars);
    }

    /// <summary>True when <paramref name="text"/> could be a run's id; anything else names no run.</summary>
    public static bool IsWellFormed(string? text) =>
        text is { Length: Length } && text.AsSpan().IndexOfAnyExcept(Letters) < 0;
}
