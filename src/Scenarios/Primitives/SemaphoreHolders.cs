namespace Playground.Scenarios.Primitives;

/// <summary>
/// Who holds a permit of an in-process semaphore, per actor: the "in use" gauge is the number of
/// actors holding at least one. Kept under the semaphore's own lock; not thread-safe by itself.
/// </summary>
internal sealed class SemaphoreHolders
{
    private readonly Dictionary<int, int> _held = [];

    /// <summary>Actors holding a permit right now.</summary>
    public int InUse => _held.Count;

    /// <summary>The actor took a permit; returns the number in use after.</summary>
    public int Add(int actor)
    {
        _held[actor] = _held.GetValueOrDefault(actor) + 1;
        return _held.Count;
    }

    /// <summary>
    /// The actor gave a permit back; an actor holding none changes nothing (an over-release).
    /// Returns the number in use after.
    /// </summary>
    public int Remove(int actor)
    {
        if (_held.TryGetValue(actor, out var n))
        {
            if (n <= 1)
            {
                _held.Remove(actor);
            }
            else
            {
                _held[actor] = n - 1;
            }
        }

        return _held.Count;
    }
}
