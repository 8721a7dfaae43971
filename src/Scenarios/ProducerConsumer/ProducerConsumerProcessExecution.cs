using System.Diagnostics;
using System.Globalization;
using Playground.Scenarios.Engine;
using Playground.Scenarios.Processes;
using Playground.Scenarios.Recording;
using Playground.Shared.Catalog;
using Playground.Shared.Events;
using Playground.Shared.Parameters;
using Playground.Shared.Runs;
using Playground.Shared.Text;

namespace Playground.Scenarios.ProducerConsumer;

/// <summary>
/// One run of producer/consumer in processes: the server creates a <see cref="SharedRingQueue"/>
/// in /dev/shm and starts one worker process per actor; the children put and get through the
/// shared ring themselves, blocking in the kernel on its semaphores. The server only starts,
/// watches, stops and reaps them, and tallies items from their event frames for the invariant.
/// </summary>
public sealed class ProducerConsumerProcessExecution : IScenarioExecution
{
    private readonly ProducerConsumerSettings _s;
    private readonly ParameterValues _values;
    private readonly RunEnvironment _environment;

    public ProducerConsumerProcessExecution(ProducerConsumerSettings settings, ParameterValues values, RunEnvironment environment, IReadOnlyList<ActorSpec> actors)
    {
        _s = settings;
        _values = values;
        _environment = environment;
        Actors = actors;
    }

    public IReadOnlyList<ActorSpec> Actors { get; }

    public ScenarioOutcome Execute(EventRecorder recorder, IActorObserver observer, CancellationToken cancellationToken)
    {
        var s = _s;
        var worker = _environment.Worker ?? throw new InvalidOperationException("processes mode needs the worker program, which was not found");
        var names = new SharedQueueNames(_environment.SharedKey);
        // An unbounded queue still needs a ring: room for every item and every sentinel.
        var slots = s.Capacity > 0 ? s.Capacity : checked((int)s.TotalItems + s.Consumers);
        var producedTimes = new int[s.TotalItems];
        var consumedTimes = new int[s.TotalItems];
        var counts = new long[Actors.Count];
        var polls = new long[s.Consumers];
        var strays = new List<long>();
        var query = ShareLink.EncodeQuery(ProducerConsumerSchema.Descriptor, _values);

        recorder.MarkStart();
        var started = Stopwatch.GetTimestamp();
        int maxDepth;
        ChildExit? crash;
        IReadOnlyList<ChildExit> exits;
        bool complete;
        try
        {
            using var queue = SharedRingQueue.Create(names, s.QueueKind, s.Capacity, slots, s.Producers);
            using var group = new ChildProcessGroup(worker, recorder, observer, _environment.StopGrace);
            for (var a = 0; a < Actors.Count; a++)
            {
                var actor = a;
                var producer = actor < s.Producers;
                group.Spawn(actor, Actors[actor].Name,
                    ["--scenario", ProducerConsumerSchema.Id, "--run", _environment.SharedKey, "--actor", actor.ToString(CultureInfo.InvariantCulture), "--params", query],
                    e => Tally(e.Kind, e.Value, producer ? producedTimes : consumedTimes, producer ? EventKind.Put : EventKind.Get, counts, actor, strays, polls, s));
            }

            var finished = true;
            if (s.Shutdown == ShutdownStyle.Joinable)
            {
                // The main program's p.join() on the producers; then the daemon consumers die with it.
                finished = group.WaitFor(Enumerable.Range(0, s.Producers), cancellationToken);
                if (finished)
                {
                    group.Stop(Enumerable.Range(s.Producers, s.Consumers));
                }
            }

            finished = finished && group.WaitAll(cancellationToken);
            if (!finished)
            {
                group.KillAll();
            }

            crash = group.FirstCrash;
            exits = group.Exits;
            maxDepth = queue.MaxDepth;
            complete = finished && crash is null && !cancellationToken.IsCancellationRequested;
        }
        finally
        {
            names.Unlink();
        }

        var wallSeconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        var produced = Expand(producedTimes);
        var consumed = Expand(consumedTimes);
        List<long> consumedAll;
        lock (strays)
        {
            consumedAll = [.. consumed, .. strays];
        }

        var startup = exits.OrderBy(e => e.Actor).Where(e => !double.IsNaN(e.StartupMs)).Select(e =>
            new RunMetric("startup:" + e.Name, Msg.Of("metric.startup", ("name", e.Name), ("pid", e.Pid)), Math.Round(e.StartupMs, 2), Msg.Of("unit.ms")));
        var failure = crash is null ? null : Msg.Of("child.peersStopped", ("crash", crash.Describe()));
        return ProducerConsumerReport.Build(s, produced, consumedAll, maxDepth, polls.Sum(), complete, wallSeconds, counts, startup, failure);
    }

    private static void Tally(EventKind kind, long value, int[] times, EventKind counted, long[] counts, int actor, List<long> strays, long[] polls, ProducerConsumerSettings s)
    {
        if (kind == EventKind.Poll && actor >= s.Producers)
        {
            polls[actor - s.Producers]++;
            return;
        }

        if (kind != counted || value == ProducerConsumerActors.SentinelItem)
        {
            return;
        }

        counts[actor]++;
        if (value >= 0 && value < times.Length)
        {
            Interlocked.Increment(ref times[value]);
        }
        else
        {
            lock (strays)
            {
                strays.Add(value);
            }
        }
    }

    private static List<long> Expand(int[] times)
    {
        var list = new List<long>(times.Length);
        for (var i = 0; i < times.Length; i++)
        {
            for (var k = 0; k < Volatile.Read(ref times[i]); k++)
            {
                list.Add(i);
            }
        }

        return list;
    }
}
