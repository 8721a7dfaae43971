using Playground.Scenarios.Engine;
using Playground.Scenarios.Primitives;
using Playground.Scenarios.Recording;
using Playground.Shared.Events;

namespace Playground.Scenarios.Event;

/// <summary>
/// The boss and the workers of the event lesson. The same loops run on threads, in child
/// processes (blocking on <see cref="IEventFlag"/>) and as tasks (awaiting <see cref="IAsyncEventFlag"/>).
/// </summary>
/// <remarks>
/// As in the seed, the boss announces overtime and sets the flag, pauses, and sets it again; each
/// worker waits, works, clears the flag itself and waits again. Left like that, a worker that falls
/// a round behind (it arrived after a peer had cleared, or its wait timed out) clears the flag after
/// the boss's last set, and everyone still to wait then waits forever — the seed would hang too.
/// So before its last set the boss posts "you can go home" on a notice board: a worker that has
/// read it does not clear any more, and one that cleared just as it was posted (it read the board
/// before the post, cleared after the last set) finds the post when it looks again right after its
/// clear and raises the flag back up. The last change of the flag is therefore always a set, and
/// every worker's last wait passes: every run ends.
/// </remarks>
public static class EventActors
{
    public const string OvertimeNotice = "notice:overtime";
    public const string HomeNotice = "notice:home";
    public const string BossPause = "pause";
    public const string Overtime = "overtime";

    public static void Boss(IActorRecorder log, IEventFlag flag, IShiftNotice notice, EventSettings s, CancellationToken cancellationToken)
    {
        log.Record(EventKind.Start);
        for (var round = 1; round <= s.Rounds; round++)
        {
            if (round > 1)
            {
                log.Record(EventKind.Sleep, BossPause);
                Delays.Sleep(s.Pause, cancellationToken);
            }

            Announce(log, notice, s, round);
            flag.Set(log);
        }

        log.Record(EventKind.End);
    }

    public static void Worker(IActorRecorder log, IEventFlag flag, IShiftNotice notice, EventSettings s, CancellationToken cancellationToken)
    {
        var delays = Delays.ForActor(s.Seed, log.Actor, s.Jitter, s.TimeScale);
        log.Record(EventKind.Start);
        for (var wait = 1; ; wait++)
        {
            // False when the timeout ran out; the worker goes on all the same, as the seed's would.
            _ = flag.Wait(log, s.WaitLimit, cancellationToken);
            if (wait == s.Rounds || notice.GoHome)
            {
                break;
            }

            log.Record(EventKind.Work, Overtime);
            Delays.Sleep(delays.Next(s.Work), cancellationToken);
            if (!notice.GoHome)
            {
                flag.Clear(log);
                if (notice.GoHome)
                {
                    // The boss posted "go home" and made its last set while this worker was clearing.
                    flag.Set(log);
                }
            }
        }

        log.Record(EventKind.End);
    }

    public static async Task BossAsync(IActorRecorder log, IAsyncEventFlag flag, IShiftNotice notice, EventSettings s, CancellationToken cancellationToken)
    {
        log.Record(EventKind.Start);
        for (var round = 1; round <= s.Rounds; round++)
        {
            if (round > 1)
            {
                log.Record(EventKind.Sleep, BossPause);
                await Delays.SleepAsync(s.Pause, cancellationToken);
            }

            Announce(log, notice, s, round);
            flag.Set(log);
        }

        log.Record(EventKind.End);
    }

    public static async Task WorkerAsync(IActorRecorder log, IAsyncEventFlag flag, IShiftNotice notice, EventSettings s, CancellationToken cancellationToken)
    {
        var delays = Delays.ForActor(s.Seed, log.Actor, s.Jitter, s.TimeScale);
        log.Record(EventKind.Start);
        for (var wait = 1; ; wait++)
        {
            _ = await flag.WaitAsync(log, s.WaitLimit, cancellationToken);
            if (wait == s.Rounds || notice.GoHome)
            {
                break;
            }

            log.Record(EventKind.Work, Overtime);
            await Delays.SleepAsync(delays.Next(s.Work), cancellationToken);
            if (!notice.GoHome)
            {
                flag.Clear(log);
                if (notice.GoHome)
                {
                    flag.Set(log);
                }
            }
        }

        log.Record(EventKind.End);
    }

    /// <summary>The boss's words before each set: overtime again, or, before the last one, go home.</summary>
    private static void Announce(IActorRecorder log, IShiftNotice notice, EventSettings s, int round)
    {
        if (round < s.Rounds)
        {
            log.Record(EventKind.Work, OvertimeNotice, round);
            return;
        }

        log.Record(EventKind.Work, HomeNotice, round);
        notice.SendHome();
    }
}
