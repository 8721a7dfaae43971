using System.Diagnostics;
using Playground.Scenarios.Recording;
using Playground.Shared.Catalog;
using Playground.Shared.Events;

namespace Playground.Scenarios.Semaphore;

/// <summary>One refused release: who, and when (monotonic timestamp).</summary>
public readonly record struct RefusedRelease(int Car, long At);

/// <summary>
/// What the report needs, gathered from the events as they are recorded — in every mode the same
/// code, fed from several threads at once (in processes mode from the children's event frames).
/// A car "asks" when its acquire call begins (its <c>wait</c>, or its <c>acquire</c> when it did not
/// block) and is "admitted" at its <c>acquire</c>.
/// </summary>
public sealed class ParkingTally
{
    private readonly object _gate = new();
    private readonly long[] _asked;
    private readonly long[] _admitted;
    private readonly long[] _waitingSince;
    private readonly long[] _releases;
    private readonly long[] _secondRelease;
    private readonly List<RefusedRelease> _refused = [];
    private long _peak;
    private long _peakAt;
    private long _waits;
    private long _waitTicks;
    private long _longestWaitTicks;

    public ParkingTally(int cars)
    {
        _asked = new long[cars];
        _admitted = new long[cars];
        _waitingSince = new long[cars];
        _releases = new long[cars];
        _secondRelease = new long[cars];
    }

    public int Cars => _asked.Length;

    public void Observe(in RawEvent e)
    {
        lock (_gate)
        {
            var car = e.Actor;
            if ((uint)car >= (uint)_asked.Length || e.Resource != SemaphoreSchema.Resource)
            {
                return;
            }

            switch (e.Kind)
            {
                case EventKind.Wait:
                    _waits++;
                    if (_asked[car] == 0)
                    {
                        _asked[car] = e.Timestamp;
                    }

                    _waitingSince[car] = e.Timestamp;
                    break;

                case EventKind.Acquire:
                    if (_admitted[car] == 0)
                    {
                        _admitted[car] = e.Timestamp;
                        if (_asked[car] == 0)
                        {
                            _asked[car] = e.Timestamp;
                        }
                    }

                    if (_waitingSince[car] != 0)
                    {
                        var waited = e.Timestamp - _waitingSince[car];
                        _waitTicks += waited;
                        _longestWaitTicks = Math.Max(_longestWaitTicks, waited);
                        _waitingSince[car] = 0;
                    }

                    break;

                case EventKind.Release:
                case EventKind.Error:
                    // A refused release is a release call all the same: the car made it.
                    if (++_releases[car] == 2)
                    {
                        _secondRelease[car] = e.Timestamp;
                    }

                    if (e.Kind == EventKind.Error)
                    {
                        _refused.Add(new RefusedRelease(car, e.Timestamp));
                    }

                    break;
            }

            if (e.Level > _peak || (e.Level == _peak && e.Level > 0 && e.Timestamp < _peakAt))
            {
                _peak = e.Level;
                _peakAt = e.Timestamp;
            }
        }
    }

    /// <summary>
    /// A consistent copy of what was gathered, for the report, with its moments in seconds after
    /// <paramref name="origin"/>: the run's start, from which the timeline counts too (a child
    /// process's first event comes only after its start-up).
    /// </summary>
    public ParkingFigures Snapshot(long origin)
    {
        lock (_gate)
        {
            double Seconds(long timestamp) => timestamp == 0 ? 0 : (timestamp - origin) / (double)Stopwatch.Frequency;

            var admitted = 0;
            for (var c = 0; c < _admitted.Length; c++)
            {
                if (_admitted[c] != 0)
                {
                    admitted++;
                }
            }

            var (overtaken, largest) = Overtakes();
            var extraCar = Array.FindIndex(_releases, n => n >= 2);
            var toMs = 1000.0 / Stopwatch.Frequency;
            return new ParkingFigures(
                Cars,
                admitted,
                _peak,
                Seconds(_peakAt),
                _waits,
                admitted > 0 ? _waitTicks * toMs / admitted : 0,
                _longestWaitTicks * toMs,
                overtaken,
                largest,
                [.. _releases],
                extraCar,
                extraCar >= 0 ? Seconds(_secondRelease[extraCar]) : 0,
                [.. _refused.OrderBy(r => r.At).Select(r => (r.Car, Seconds(r.At)))]);
        }
    }

    /// <summary>
    /// Cars let in before at least one car that had asked earlier, and the most such earlier cars
    /// one car passed. Only cars that asked and got in are compared.
    /// </summary>
    private (int Overtaken, int Largest) Overtakes()
    {
        var cars = Enumerable.Range(0, _asked.Length).Where(c => _admitted[c] != 0).ToList();
        int overtaken = 0, largest = 0;
        foreach (var c in cars)
        {
            var passed = cars.Count(d => _asked[d] < _asked[c] && _admitted[d] > _admitted[c]);
            if (passed > 0)
            {
                overtaken++;
                largest = Math.Max(largest, passed);
            }
        }

        return (overtaken, largest);
    }
}

/// <summary>The figures of a run, times in seconds after the run's start.</summary>
/// <param name="Cars">Cars in the run.</param>
/// <param name="Admitted">Cars that got a space.</param>
/// <param name="PeakInUse">Most cars holding a space at once, from the semaphore's own levels.</param>
/// <param name="PeakAt">When that many first held one.</param>
/// <param name="Waits">Times a car blocked.</param>
/// <param name="MeanWaitMs">Blocked time per admitted car (0 for those that never blocked).</param>
/// <param name="LongestWaitMs">The longest a car was blocked.</param>
/// <param name="Overtaken">Cars let in before a car that had asked earlier.</param>
/// <param name="LargestOvertake">The most earlier askers one car passed.</param>
/// <param name="Releases">Release calls per car, refused ones included.</param>
/// <param name="ExtraCar">The car that released twice, or −1.</param>
/// <param name="ExtraAt">When it released the second time.</param>
/// <param name="Refused">Refused releases in time order: the car and when.</param>
public sealed record ParkingFigures(
    int Cars,
    int Admitted,
    long PeakInUse,
    double PeakAt,
    long Waits,
    double MeanWaitMs,
    double LongestWaitMs,
    int Overtaken,
    int LargestOvertake,
    IReadOnlyList<long> Releases,
    int ExtraCar,
    double ExtraAt,
    IReadOnlyList<(int Car, double At)> Refused);
