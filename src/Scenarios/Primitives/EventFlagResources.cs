namespace Playground.Scenarios.Primitives;

/// <summary>
/// The resources every flavour of the event flag records, so the timeline, the gauge and the
/// scenario's report read the same names whatever the mode.
/// </summary>
/// <remarks>
/// <c>set</c> (value: waiters woken), <c>clear</c> and a blocking <c>wait</c> (value: waiters
/// blocked now) carry <see cref="Flag"/>; a wait that returns records an instant: <c>acquire</c>
/// of <see cref="Woken"/> (value: the number of the set that released it) after blocking, or of
/// <see cref="Up"/> when the flag was already up; a wait whose timeout ran out records <c>poll</c>
/// of <see cref="TimedOut"/> (Python's wait returned False). Every one of them carries the flag's
/// level (1 up, 0 clear) as it was at that moment, read under the flag's own lock, so the events'
/// timestamps order them as they really happened.
/// </remarks>
public static class EventFlagResources
{
    public const string Flag = "flag";
    public const string Woken = "flag:woken";
    public const string Up = "flag:up";
    public const string TimedOut = "flag:timeout";
}
