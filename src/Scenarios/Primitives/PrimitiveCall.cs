using Playground.Scenarios.Recording;
using Playground.Shared.Events;

namespace Playground.Scenarios.Primitives;

/// <summary>
/// The single choke point of the primitives: every operation of every primitive (queue, semaphore,
/// event flag, lock; thread, async and process flavours) calls <see cref="Enter"/> before it acts.
/// A mode that steps through a run pauses actors here and nowhere else.
/// </summary>
public static class PrimitiveCall
{
    /// <summary>Announces that <paramref name="actor"/> is about to perform <paramref name="operation"/> on <paramref name="resource"/>.</summary>
    public static void Enter(IActorRecorder actor, EventKind operation, string resource) =>
        actor.BeforeOperation(operation, resource);
}
