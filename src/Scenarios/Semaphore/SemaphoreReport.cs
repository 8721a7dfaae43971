using Playground.Scenarios.Engine;
using Playground.Scenarios.Primitives;
using Playground.Shared.Catalog;
using Playground.Shared.Runs;
using Playground.Shared.Text;

namespace Playground.Scenarios.Semaphore;

/// <summary>
/// The end of a parking-lot run, the same in every mode: the figures, the verdict on "in use never
/// exceeds the permits (and a bounded semaphore is never over-released)" with its evidence, and
/// the notes that explain the order in which cars got in.
/// </summary>
public static class SemaphoreReport
{
    private const int MaxNamed = 5;

    /// <param name="s">The run's settings.</param>
    /// <param name="f">What the events showed.</param>
    /// <param name="finalValue">The semaphore's value once every car had gone.</param>
    /// <param name="peakParked">Most cars parked at once by the cars' own count.</param>
    /// <param name="host">What the host measured in its mode.</param>
    /// <param name="actors">The cars, for their names.</param>
    public static ScenarioOutcome Build(SemaphoreSettings s, ParkingFigures f, int finalValue, long peakParked, HostResult host, IReadOnlyList<ActorSpec> actors)
    {
        string Name(int car) => car >= 0 && car < actors.Count ? actors[car].Name : "?";

        var bounded = s.Kind == SemaphoreKind.Bounded;
        var overflow = f.PeakInUse > s.Permits;
        var held = !overflow && f.Refused.Count == 0;
        var evidence = new List<Msg>
        {
            overflow
                ? Msg.Of("sem.evidence.overflow", ("peak", f.PeakInUse), ("at", f.PeakAt), ("permits", s.Permits))
                : Msg.Of("sem.evidence.peak", ("peak", f.PeakInUse), ("at", f.PeakAt), ("permits", s.Permits)),
            Msg.Of("sem.evidence.parked", ("parked", peakParked)),
        };

        if (f.Refused.Count > 0)
        {
            evidence.AddRange(f.Refused.Take(MaxNamed).Select(r =>
                Msg.Of("sem.evidence.refused", ("car", Name(r.Car)), ("at", r.At), ("permits", s.Permits))));
            if (f.Refused.Count > MaxNamed)
            {
                evidence.Add(Msg.Of("sem.evidence.refusedMore", ("count", f.Refused.Count - MaxNamed)));
            }
        }
        else if (bounded)
        {
            evidence.Add(Msg.Of("sem.evidence.noRefusal"));
        }

        if (host.Complete && finalValue > s.Permits)
        {
            evidence.Add(Msg.Of("sem.evidence.countGrew", ("count", finalValue), ("extra", finalValue - s.Permits), ("permits", s.Permits)));
        }

        if (!host.Complete)
        {
            evidence.Add(Msg.Of("sem.evidence.cutShort", ("admitted", f.Admitted), ("cars", f.Cars)));
        }

        var verdict = new Verdict(held, Msg.Of(bounded ? "sem.invariant.bounded" : "sem.invariant.counting"), evidence,
            Explanation: held ? null : Explain(s, f, finalValue, Name));

        var metrics = new List<RunMetric>
        {
            new("permits", Msg.Of("sem.metric.permits"), s.Permits),
            new("peakInUse", Msg.Of("sem.metric.peakInUse"), f.PeakInUse),
            new("peakParked", Msg.Of("sem.metric.peakParked"), peakParked),
            new("waits", Msg.Of("sem.metric.waits"), f.Waits),
            new("meanWait", Msg.Of("sem.metric.meanWait"), Math.Round(f.MeanWaitMs, 1), Msg.Of("unit.ms")),
            new("longestWait", Msg.Of("sem.metric.longestWait"), Math.Round(f.LongestWaitMs, 1), Msg.Of("unit.ms")),
            new("overtaken", Msg.Of("sem.metric.overtaken"), f.Overtaken),
            new("largestOvertake", Msg.Of("sem.metric.largestOvertake"), f.LargestOvertake),
            new("finalCount", Msg.Of("sem.metric.finalCount"), finalValue),
            new("refusedReleases", Msg.Of("sem.metric.refusedReleases"), f.Refused.Count),
        };
        metrics.AddRange(host.Metrics);

        var notes = new List<Msg>();
        if (f.Admitted >= 2)
        {
            notes.Add(f.Overtaken > 0
                ? Msg.Of("sem.note.overtaken", ("overtaken", f.Overtaken), ("cars", f.Admitted), ("largest", f.LargestOvertake))
                : Msg.Of("sem.note.inOrder", ("cars", f.Admitted)));
            notes.Add(Msg.Of("sem.note.order." + host.Mode));
        }

        notes.AddRange(host.Notes);
        if (host.Failure is not null)
        {
            notes.Add(Msg.Of("note.failure", ("reason", host.Failure)));
        }

        var throughput = host.WallSeconds > 0 ? f.Admitted / host.WallSeconds : 0;
        return new ScenarioOutcome(throughput, Msg.Of("unit.carsPerSecond"), metrics, verdict, notes, f.Releases, host.Failure);
    }

    /// <summary>Why the invariant broke: how the planted extra release got through, and where it was caught.</summary>
    private static Msg? Explain(SemaphoreSettings s, ParkingFigures f, int finalValue, Func<int, string> name)
    {
        if (f.ExtraCar < 0)
        {
            return null;
        }

        var car = name(f.ExtraCar);
        if (s.Kind == SemaphoreKind.Counting)
        {
            return Msg.Of("sem.explain.counting", ("car", car), ("at", f.ExtraAt), ("peak", f.PeakInUse), ("count", finalValue), ("permits", s.Permits));
        }

        if (f.Refused.Count == 0)
        {
            // Cut short before the count could pass its start: only the overflow shows.
            return Msg.Of("sem.explain.boundedUncaught", ("car", car), ("at", f.ExtraAt), ("peak", f.PeakInUse), ("permits", s.Permits));
        }

        var (refusedCar, refusedAt) = f.Refused[0];
        if (refusedCar == f.ExtraCar && Math.Abs(refusedAt - f.ExtraAt) < 1e-9)
        {
            return Msg.Of("sem.explain.boundedCaught", ("car", car), ("at", f.ExtraAt), ("permits", s.Permits));
        }

        return Msg.Of(f.PeakInUse > s.Permits ? "sem.explain.boundedLateOverflow" : "sem.explain.boundedLate",
            ("car", car), ("at", f.ExtraAt), ("permits", s.Permits), ("peak", f.PeakInUse),
            ("last", name(refusedCar)), ("lastAt", refusedAt), ("over", s.Permits + 1));
    }
}
