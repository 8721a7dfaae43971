using System.Security.Cryptography;

namespace Playground.Server.Runs;

/// <summary>A run's id: ten characters of an alphabet without look-alikes, random. The same id serves the run live and saved.</summary>
public static class RunIds
{
    private const string Alphabet = "abcdefghijkmnpqrstuvwxyz23456789";
    private const int Length = 10;

    public static string New()
    {
        Span<char> chars = stackalloc char[Length];
        for (var i = 0; i < chars.Length; i++)
        {
            chars[i] = Alphabet[RandomNumberGenerator.GetInt32(Alphabet.Length)];
        }

        return new string(chars);
    }

    /// <summary>True for text that could be a run's id: anything else is no run, without asking any store.</summary>
    public static bool IsWellFormed(string? id) =>
        id is { Length: Length } && id.All(c => Alphabet.Contains(c, StringComparison.Ordinal));
}
