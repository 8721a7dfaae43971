using System.Collections.Concurrent;

namespace Playground.Scenarios.Recording;

/// <summary>
/// The resource names of one run's log, each kept once: an event stores a 15-bit number instead
/// of a reference to its name. Numbers are handed out once and never change; 0 is no resource.
/// Lookups take no lock; a new name (a handful per run) takes one.
/// </summary>
public sealed class ResourceNames
{
    /// <summary>The most names one run may have; the rest are stored under <see cref="Overflow"/>.</summary>
    public const int MaxNames = Overflow - 1;

    /// <summary>The number of every name past <see cref="MaxNames"/>: read back as "…".</summary>
    public const ushort Overflow = (1 << 15) - 1;

    private readonly object _gate = new();
    private readonly ConcurrentDictionary<string, ushort> _numbers = new(StringComparer.Ordinal);
    // Replaced whole when a name is added, so readers never see a half-grown array.
    private volatile string?[] _names = [null];

    public int Count => _names.Length - 1;

    /// <summary>The number of <paramref name="name"/>, given one on first sight.</summary>
    public ushort NumberOf(string? name)
    {
        if (name is null)
        {
            return 0;
        }

        if (_numbers.TryGetValue(name, out var known))
        {
            return known;
        }

        lock (_gate)
        {
            if (_numbers.TryGetValue(name, out var number))
            {
                return number;
            }

            var names = _names;
            if (names.Length > MaxNames)
            {
                return Overflow;
            }

            number = (ushort)names.Length;
            _numbers[name] = number;
            _names = [.. names, name];
            return number;
        }
    }

    public string? NameOf(ushort number)
    {
        if (number == Overflow)
        {
            return "…";
        }

        var names = _names;
        return number < names.Length ? names[number] : null;
    }
}
