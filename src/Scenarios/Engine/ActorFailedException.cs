using Playground.Shared.Text;

namespace Playground.Scenarios.Engine;

/// <summary>
/// An actor met a failure it cannot carry on from (its store was deleted or corrupted under it).
/// <see cref="Reason"/> says so in words for people; the run fails with it instead of a bare
/// exception message.
/// </summary>
public sealed class ActorFailedException(Msg reason, Exception? inner = null) : Exception(reason.Format(), inner)
{
    public Msg Reason { get; } = reason;
}
