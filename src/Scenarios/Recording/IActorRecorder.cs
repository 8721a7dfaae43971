using Playground.Shared.Events;

namespace Playground.Scenarios.Recording;

/// <summary>
/// Where an actor records what it does. In threads mode this is the actor's in-memory
/// <see cref="ActorLog"/>; in a child process it is a writer of binary frames to stdout. Actor
/// code sees only this, so the same loop runs in both modes.
/// </summary>
public interface IActorRecorder
{
    /// <summary>Records an event now, on the machine's monotonic clock.</summary>
    void Record(EventKind kind, string? resource = null, long value = 0, long level = -1);
}
