namespace Playground.Shared.Events;

/// <summary>
/// What an actor did. State kinds change the lane's state (running, sleeping, blocked, done);
/// the others are instants drawn as marks.
/// </summary>
public enum EventKind : byte
{
    /// <summary>The actor began (lane turns running).</summary>
    Start,
    /// <summary>The actor is busy working on something (running).</summary>
    Work,
    /// <summary>The actor sleeps, as in simulated I/O (sleeping).</summary>
    Sleep,
    /// <summary>The actor is about to block on a resource (blocked).</summary>
    Wait,
    Acquire,
    Release,
    Put,
    Get,
    Set,
    Clear,
    /// <summary>A non-blocking check that found nothing to do (busy polling).</summary>
    Poll,
    /// <summary>task_done on a joinable queue.</summary>
    Done,
    /// <summary>The actor finished (lane ends).</summary>
    End,
    /// <summary>The actor died or failed; value holds the exit code or signal.</summary>
    Crash,
    /// <summary>
    /// An operation raised an error the actor survives (a bounded semaphore released too often,
    /// Python's ValueError); an instant, the lane's state is unchanged.
    /// </summary>
    Error,
    /// <summary>
    /// An outcome the scenario points out on the lane (a buyer told "success"); an instant, the
    /// lane's state is unchanged.
    /// </summary>
    Mark,
}

public static class EventKinds
{
    private static readonly string[] Names =
        ["start", "work", "sleep", "wait", "acquire", "release", "put", "get", "set", "clear", "poll", "done", "end", "crash", "error", "mark"];

    public static string Name(this EventKind kind) => Names[(int)kind];

    public static bool TryParse(string name, out EventKind kind)
    {
        var i = Array.IndexOf(Names, name);
        kind = i < 0 ? default : (EventKind)i;
        return i >= 0;
    }

    /// <summary>Every kind, in order of its number.</summary>
    public static IReadOnlyList<string> All => Names;

    /// <summary>True for kinds that set the lane's state rather than mark an instant.</summary>
    public static bool IsState(this EventKind kind) => LaneStates.IsStateKind(kind);
}
