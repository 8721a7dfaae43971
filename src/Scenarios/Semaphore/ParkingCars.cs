using Playground.Scenarios.Engine;
using Playground.Scenarios.Primitives;
using Playground.Scenarios.Recording;
using Playground.Shared.Events;

namespace Playground.Scenarios.Semaphore;

/// <summary>
/// What a car does, the same on a thread, in a task and alone in a child process: arrive, take a
/// space (blocking while none is free), stay parked, leave and release it — twice, for the first
/// car to leave when the extra release is planted. A refused release is recorded by the semaphore
/// as an error; the car drives off all the same.
/// </summary>
public static class ParkingCars
{
    public static void Drive(IActorRecorder log, ISemaphore spaces, IParkingBoard board, SemaphoreSettings s, int car, CancellationToken cancellationToken)
    {
        log.Record(EventKind.Start);
        var arrival = s.ArrivalDelay(car);
        if (arrival > TimeSpan.Zero)
        {
            log.Record(EventKind.Sleep, "arriving");
            Delays.Sleep(arrival, cancellationToken);
            log.Record(EventKind.Work, "gate");
        }

        spaces.Acquire(log, cancellationToken);
        board.CarParked();
        log.Record(EventKind.Sleep, "parked");
        Delays.Sleep(s.DelaysOf(car).Next(s.Hold), cancellationToken);
        log.Record(EventKind.Work, "exit");
        board.CarLeaving();
        Release(log, spaces.Release);
        if (s.ExtraRelease && board.ClaimFirstLeave())
        {
            Release(log, spaces.Release);
        }

        log.Record(EventKind.End);
    }

    public static async Task DriveAsync(IActorRecorder log, IAsyncSemaphore spaces, IParkingBoard board, SemaphoreSettings s, int car, CancellationToken cancellationToken)
    {
        log.Record(EventKind.Start);
        var arrival = s.ArrivalDelay(car);
        if (arrival > TimeSpan.Zero)
        {
            log.Record(EventKind.Sleep, "arriving");
            await Delays.SleepAsync(arrival, cancellationToken).ConfigureAwait(false);
            log.Record(EventKind.Work, "gate");
        }

        await spaces.AcquireAsync(log, cancellationToken).ConfigureAwait(false);
        board.CarParked();
        log.Record(EventKind.Sleep, "parked");
        await Delays.SleepAsync(s.DelaysOf(car).Next(s.Hold), cancellationToken).ConfigureAwait(false);
        log.Record(EventKind.Work, "exit");
        board.CarLeaving();
        Release(log, spaces.Release);
        if (s.ExtraRelease && board.ClaimFirstLeave())
        {
            Release(log, spaces.Release);
        }

        log.Record(EventKind.End);
    }

    private static void Release(IActorRecorder log, Action<IActorRecorder> release)
    {
        try
        {
            release(log);
        }
        catch (SemaphoreOverReleasedException)
        {
            // Python's ValueError, caught: the semaphore has recorded it, the car leaves anyway.
        }
    }
}
