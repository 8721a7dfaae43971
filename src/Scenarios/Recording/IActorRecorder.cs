using Playground.Shared.Events;

namespace Playground.Scenarios.Recording;

/// <summary>
/// Where an actor records what it does. In threads mode this is the actor's in-memory
/// <see cref="ActorLog"/>; in a child process it is a writer of binary frames to stdout. Actor
/// code sees only this, so the same loop runs in every mode.
/// </summary>
public interface IActorRecorder
{
    /// <summary>The actor's index in the run (its lane).</summary>
    int Actor { get; }

    /// <summary>Records an event now, on the machine's monotonic clock.</summary>
    void Record(EventKind kind, string? resource = null, long value = 0, long level = -1);

    /// <summary>
    /// Called by <see cref="Primitives.PrimitiveCall.Enter"/> before every operation of every
    /// primitive: the place where a stepping mode can hold the actor. Nothing by default.
    /// </summary>
    void BeforeOperation(EventKind operation, string resource)
    {
    }
}
