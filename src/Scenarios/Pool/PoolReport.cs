using System.Globalization;
using Playground.Scenarios.Engine;
using Playground.Shared.Catalog;
using Playground.Shared.Runs;
using Playground.Shared.Text;
using S = Playground.Shared.Catalog.PoolSchema;

namespace Playground.Scenarios.Pool;

/// <summary>
/// The end of a pool run, the same code in every executor: the verdict (every task ran exactly
/// once and its result reached the parent unchanged, once), wall time, tasks per second, the
/// speed-up over one worker, CPU time against wall time, each process's start-up, and the order
/// the parent answered the results in.
/// </summary>
public static class PoolReport
{
    /// <summary>At most this many task numbers are spelled out in one line.</summary>
    private const int ShownTasks = 40;

    public static ScenarioOutcome Build(PoolSettings s, PoolTallySnapshot tally, HostResult result)
    {
        var tasks = tally.Tasks;
        var wall = result.WallSeconds;
        var answered = tasks.Count(t => t.Answers > 0);
        var errors = tasks.Count(t => t.Answers > 0 && PoolResult.Unpack(t.ReceivedWord).Failed);
        var metrics = new List<RunMetric>
        {
            new(S.WallMs, Msg.Of("pool.metric.wallMs"), Math.Round(wall * 1000, 1), Msg.Of("unit.ms")),
            new("serialMs", Msg.Of("pool.metric.serialMs"), Math.Round(s.SerialSeconds * 1000, 1), Msg.Of("unit.ms")),
        };
        if (wall > 0)
        {
            metrics.Add(new RunMetric("speedup", Msg.Of("pool.metric.speedup"), Math.Round(s.SerialSeconds / wall, 2), Msg.Of("unit.times")));
        }

        var cpu = tally.CpuMicroseconds.Skip(1).Where(us => us >= 0).ToList();
        double? cpuPercent = null;
        if (CpuClock.Available && cpu.Count > 0 && wall > 0)
        {
            var cpuMs = cpu.Sum() / 1000.0;
            cpuPercent = Math.Round(cpuMs / 10 / wall, 0);
            metrics.Add(new RunMetric("cpuMs", Msg.Of("pool.metric.cpuMs"), Math.Round(cpuMs, 1), Msg.Of("unit.ms")));
            metrics.Add(new RunMetric("cpuPercent", Msg.Of("pool.metric.cpuPercent"), cpuPercent.Value, Msg.Of("unit.percent")));
        }

        metrics.Add(new RunMetric("results", Msg.Of("pool.metric.results"), answered - errors));
        metrics.Add(new RunMetric("errors", Msg.Of("pool.metric.errors"), errors));
        var started = result.Children.Where(c => c.Actor > 0).ToList();
        if (started.Count > 0)
        {
            metrics.Add(new RunMetric("processes", Msg.Of("pool.metric.processes"), started.Select(c => c.Pid).Distinct().Count()));
            var startups = started.Where(c => !double.IsNaN(c.StartupMs)).Select(c => c.StartupMs).ToList();
            if (startups.Count > 0)
            {
                metrics.Add(new RunMetric("startupMeanMs", Msg.Of("pool.metric.startupMean"), Math.Round(startups.Average(), 1), Msg.Of("unit.ms")));
            }
        }

        if (s.Gil)
        {
            metrics.Add(new RunMetric("gilWaits", Msg.Of("pool.metric.gilWaits"), tally.GilWaits));
        }

        metrics.AddRange(result.Metrics);
        var verdict = Verdict(s, tally);
        var notes = Notes(s, tally, result, errors, cpuPercent);
        return new ScenarioOutcome(wall > 0 ? answered / wall : 0, Msg.Of("unit.tasksPerSecond"), metrics, verdict, notes, tally.CountPerActor, result.Failure);
    }

    private static Verdict Verdict(PoolSettings s, PoolTallySnapshot tally)
    {
        var tasks = tally.Tasks;
        var neverRan = tasks.Where(t => t.RanOn.Count == 0).ToList();
        var ranTwice = tasks.Where(t => t.RanOn.Count > 1 || t.ResultsSent > 1).ToList();
        var lost = tasks.Where(t => t.RanOn.Count > 0 && t.ResultsReceived == 0).ToList();
        var changed = tasks.Where(t => t.ResultsReceived > 0 && t.ResultsSent > 0 && t.ReceivedWord != t.SentWord).ToList();
        var unanswered = tasks.Where(t => t.ResultsReceived > 0 && t.Answers == 0).ToList();
        var twice = tasks.Where(t => t.ResultsReceived > 1 || t.Answers > 1).ToList();
        var held = neverRan.Count == 0 && ranTwice.Count == 0 && lost.Count == 0 && changed.Count == 0 && unanswered.Count == 0
                   && twice.Count == 0 && tally.Strays.Count == 0;

        var evidence = new List<Msg>();
        if (held)
        {
            var errors = tasks.Count(t => PoolResult.Unpack(t.ReceivedWord).Failed);
            evidence.Add(Msg.Of("pool.evidence.held", ("tasks", tasks.Count), ("values", tasks.Count - errors), ("errors", errors)));
        }
        else
        {
            void Add(string key, List<TaskTrace> which)
            {
                if (which.Count > 0)
                {
                    evidence.Add(Msg.Of(key, ("count", which.Count), ("items", Named(which.Select(t => t.Task))), ("more", More(which.Count))));
                }
            }

            Add("pool.evidence.neverRan", neverRan);
            Add("pool.evidence.ranTwice", ranTwice);
            Add("pool.evidence.lost", lost);
            Add("pool.evidence.changed", changed);
            Add("pool.evidence.unanswered", unanswered);
            Add("pool.evidence.answeredTwice", twice);
            if (tally.Strays.Count > 0)
            {
                evidence.Add(Msg.Of("pool.evidence.strays", ("count", tally.Strays.Count), ("items", Named(tally.Strays)), ("more", More(tally.Strays.Count))));
            }
        }

        if (tally.AnswerOrder.Count > 0)
        {
            var key = s.Submit switch
            {
                S.Map => "pool.evidence.order.map",
                S.Apply => "pool.evidence.order.apply",
                _ => "pool.evidence.order.callback",
            };
            evidence.Add(Msg.Of(key, ("order", Named(tally.AnswerOrder)), ("more", More(tally.AnswerOrder.Count))));
        }

        return new Verdict(held, Msg.Of("pool.invariant"), evidence);
    }

    private static List<Msg> Notes(PoolSettings s, PoolTallySnapshot tally, HostResult result, int errors, double? cpuPercent)
    {
        var notes = new List<Msg>();
        var computes = s.CpuShare > 0;
        if (s.GilSerializes && computes)
        {
            notes.Add(Msg.Of("pool.note.gilThreads", ("waits", tally.GilWaits), ("workers", s.PoolSize)));
        }
        else if (s.Gil && computes)
        {
            notes.Add(Msg.Of("pool.note.gilProcesses"));
        }

        if (cpuPercent is { } percent && computes)
        {
            notes.Add(Msg.Of("pool.note.cpu", ("percent", percent), ("cores", Environment.ProcessorCount), ("full", Environment.ProcessorCount * 100)));
        }

        if (s.TaskKind == S.Io)
        {
            notes.Add(Msg.Of("pool.note.io"));
        }

        if (result.Mode == RunModes.Processes)
        {
            notes.Add(Msg.Of("pool.note.processCpu"));
        }

        var children = result.Children.Where(c => c.Actor > 0 && !double.IsNaN(c.StartupMs)).ToList();
        if (s.ProcessPerTask && children.Count > 0)
        {
            notes.Add(Msg.Of("pool.note.perTask", ("count", children.Count), ("pids", children.Select(c => c.Pid).Distinct().Count()),
                ("mean", Math.Round(children.Average(c => c.StartupMs), 1)), ("total", Math.Round(children.Sum(c => c.StartupMs) / 1000, 2))));
        }
        else if (result.Mode == RunModes.Processes && children.Count > 0)
        {
            notes.Add(Msg.Of("pool.note.poolStartup", ("count", children.Count), ("mean", Math.Round(children.Average(c => c.StartupMs), 1)), ("tasks", s.Tasks)));
        }

        if (s.Submit == S.Apply && s.Workers > 1)
        {
            notes.Add(Msg.Of("pool.note.apply"));
        }

        if (errors > 0)
        {
            notes.Add(Msg.Of(s.Submit switch
            {
                S.Map => "pool.note.errors.map",
                S.Apply => "pool.note.errors.apply",
                _ => "pool.note.errors.callback",
            }, ("count", errors)));
        }

        notes.AddRange(result.Notes);
        if (result.Failure is { } failure)
        {
            notes.Add(Msg.Of("note.failure", ("reason", failure)));
        }

        return notes;
    }

    private static List<string> Named(IEnumerable<int> tasks) =>
        tasks.Take(ShownTasks).Select(t => t.ToString(CultureInfo.InvariantCulture)).ToList();

    private static object More(int count) => count > ShownTasks ? Msg.Of("list.more", ("count", count - ShownTasks)) : "";
}
