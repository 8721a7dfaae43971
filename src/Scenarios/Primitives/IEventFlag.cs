using Playground.Scenarios.Recording;

namespace Playground.Scenarios.Primitives;

/// <summary>
/// Python's Event: a flag that <c>set</c> raises (waking every waiter) and <c>clear</c> lowers.
/// Records <c>set</c> (value: waiters woken) and <c>clear</c> with the flag as level (1 / 0),
/// <c>wait</c> only when a caller really blocks, and an instant when a wait returns (woken, passed
/// at once, timed out: see <see cref="EventFlagResources"/>). A waiter passes only for a set that happened
/// after it began waiting (or when the flag is already up), never on a wake-up meant for an
/// earlier waiter. Thread, async and process flavours implement it.
/// </summary>
public interface IEventFlag
{
    string Resource { get; }

    bool IsSet { get; }

    void Set(IActorRecorder actor);

    void Clear(IActorRecorder actor);

    /// <summary>
    /// Returns true at once when the flag is up, else blocks until the next set; false when
    /// <paramref name="timeout"/> (null: none) passes first, as Python's wait(timeout).
    /// </summary>
    bool Wait(IActorRecorder actor, TimeSpan? timeout, CancellationToken cancellationToken);
}

/// <summary>The async flavour of <see cref="IEventFlag"/>.</summary>
public interface IAsyncEventFlag
{
    string Resource { get; }

    bool IsSet { get; }

    void Set(IActorRecorder actor);

    void Clear(IActorRecorder actor);

    ValueTask<bool> WaitAsync(IActorRecorder actor, TimeSpan? timeout, CancellationToken cancellationToken);
}
