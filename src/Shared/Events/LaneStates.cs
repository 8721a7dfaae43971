namespace Playground.Shared.Events;

/// <summary>What an actor's lane shows at a moment: the three process states of OS texts, before and after.</summary>
public enum LaneState
{
    /// <summary>Not started yet.</summary>
    Idle,
    /// <summary>Working (on the CPU, or able to be).</summary>
    Running,
    /// <summary>Sleeping, as in simulated I/O.</summary>
    Sleeping,
    /// <summary>Blocked on a named resource.</summary>
    Blocked,
    /// <summary>Ended or crashed.</summary>
    Done,
}

/// <summary>
/// The one lane-state machine: how each event kind moves a lane. The summary's per-actor times
/// (C#) and the timeline's spans (timeline.js, which receives <see cref="Table"/> at start) both
/// follow it, so they cannot disagree.
/// </summary>
public static class LaneStates
{
    /// <summary>What a kind does to the lane: a state it enters, or one of the two rules below.</summary>
    public const string Keep = "keep";

    /// <summary>An instant after a block means the call returned: the lane runs again; otherwise it keeps its state.</summary>
    public const string Resume = "resume";

    private static readonly string[] Rules = BuildRules();

    /// <summary>Event kind name → "running" / "sleeping" / "blocked" / "done" / <see cref="Resume"/> / <see cref="Keep"/>.</summary>
    public static IReadOnlyDictionary<string, string> Table { get; } =
        Enumerable.Range(0, EventKinds.All.Count).ToDictionary(i => EventKinds.All[i], i => Rules[i]);

    /// <summary>The lane's state after an event of <paramref name="kind"/>; a done lane stays done.</summary>
    public static LaneState Next(LaneState current, EventKind kind)
    {
        if (current == LaneState.Done)
        {
            return LaneState.Done;
        }

        return Rules[(int)kind] switch
        {
            "running" => LaneState.Running,
            "sleeping" => LaneState.Sleeping,
            "blocked" => LaneState.Blocked,
            "done" => LaneState.Done,
            Resume => current == LaneState.Blocked ? LaneState.Running : current,
            _ => current,
        };
    }

    /// <summary>True for kinds that set the lane's state rather than mark an instant.</summary>
    public static bool IsStateKind(EventKind kind) => Rules[(int)kind] is not (Resume or Keep);

    public static string Name(this LaneState state) => state switch
    {
        LaneState.Idle => "idle",
        LaneState.Running => "running",
        LaneState.Sleeping => "sleeping",
        LaneState.Blocked => "blocked",
        _ => "done",
    };

    private static string[] BuildRules()
    {
        var rules = new string[Enum.GetValues<EventKind>().Length];
        for (var i = 0; i < rules.Length; i++)
        {
            rules[i] = (EventKind)i switch
            {
                EventKind.Start or EventKind.Work => "running",
                EventKind.Sleep => "sleeping",
                EventKind.Wait => "blocked",
                EventKind.End or EventKind.Crash => "done",
                // An error is raised by the call the actor is in; it does not end a block by itself.
                EventKind.Error or EventKind.Mark => Keep,
                _ => Resume,
            };
        }

        return rules;
    }
}
