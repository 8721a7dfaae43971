using System.Diagnostics;
using System.Globalization;
using Playground.Tests.Common;
using Playground.Scenarios.Engine;
using Playground.Scenarios.Primitives;
using Playground.Scenarios.Processes;
using Playground.Scenarios.ProducerConsumer;
using Playground.Scenarios.Recording;
using Playground.Shared.Catalog;
using Playground.Shared.Events;
using Playground.Shared.Parameters;
using S = Playground.Shared.Catalog.ProducerConsumerSchema;

// Timed script (not BenchmarkDotNet: each sample is a process start, far above its resolution):
//   (a) spawn → first event frame of the framework-dependent worker vs the NativeAOT worker;
//   (b) put → get hand-off between two worker processes through the shared ring, vs two threads
//       on the in-process MonitorQueue, measured from the events' own CLOCK_MONOTONIC stamps.
//
//   dotnet run -c Release --project tests/ProcessBenchmarks -- [--aot path/to/Playground.Worker] [--spawns 30] [--items 2000]
//
// The NativeAOT worker is the one the build laid out next to this program (where clang is
// installed), or the one --aot names; the framework-dependent one is in worker-framework/.
var options = Args.Parse(args);
var spawns = options.Int("spawns", 30);
var items = options.Int("items", 2000);
var culture = CultureInfo.InvariantCulture;

var (framework, frameworkStatus) = WorkerLocation.Locate(Path.Combine(AppContext.BaseDirectory, "worker-framework", "Playground.Worker.dll"));
if (framework is null)
{
    Console.Error.WriteLine(frameworkStatus);
    return 1;
}

var aotPath = options.Text("aot");
var (native, nativeStatus) = WorkerLocation.Locate(aotPath);
if (native is null || native.Flavour != "native")
{
    if (aotPath is not null)
    {
        Console.Error.WriteLine($"the NativeAOT worker is not usable: {nativeStatus}");
        return 1;
    }

    Console.Error.WriteLine($"No NativeAOT worker next to this program ({nativeStatus}); measuring the framework-dependent one only.");
    native = null;
}

var workers = new List<WorkerCommand> { framework };
if (native is not null)
{
    workers.Add(native);
}

Console.WriteLine($"# Processes-mode benchmark ({DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores, .NET {Environment.Version})");
Console.WriteLine();

// (a) Spawn to first event. Flavours alternate so drift of the machine hits both alike.
var startup = workers.ToDictionary(w => w.Flavour, _ => (First: new List<double>(), Arrived: new List<double>(), Exited: new List<double>()));
for (var warm = 0; warm < 3; warm++)
{
    foreach (var w in workers)
    {
        Spawn.Once(w);
    }
}

for (var i = 0; i < spawns; i++)
{
    foreach (var w in workers)
    {
        var (first, arrived, exited) = Spawn.Once(w);
        startup[w.Flavour].First.Add(first);
        startup[w.Flavour].Arrived.Add(arrived);
        startup[w.Flavour].Exited.Add(exited);
    }
}

Console.WriteLine($"## (a) Spawn → first event frame, N = {spawns} per flavour (one producer child, items=1)");
Console.WriteLine();
Console.WriteLine("| worker | spawn → first frame stamped, median | p90 | spawn → frame read by parent, median | p90 | spawn → exit reaped, median | p90 |");
Console.WriteLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
foreach (var w in workers)
{
    var s = startup[w.Flavour];
    Console.WriteLine(string.Create(culture,
        $"| {w.Flavour} (`{Path.GetFileName(w.PrefixArguments.Count > 0 ? w.PrefixArguments[0] : w.FileName)}`) | {Stats.Median(s.First):F1} ms | {Stats.P90(s.First):F1} ms | {Stats.Median(s.Arrived):F1} ms | {Stats.P90(s.Arrived):F1} ms | {Stats.Median(s.Exited):F1} ms | {Stats.P90(s.Exited):F1} ms |"));
}

Console.WriteLine();

// (b) Hand-off latency: the producer makes an item every millisecond, so the consumer is already
// asleep on the empty queue when the item arrives; put → get is then the wake-up across the primitive.
Console.WriteLine($"## (b) put → get hand-off, one producer and one consumer, capacity 1, {items} items");
Console.WriteLine();
Console.WriteLine("| run | pairs | put → get median | p90 | p99 | flood: items/s (no delays, capacity 1) |");
Console.WriteLine("| --- | ---: | ---: | ---: | ---: | ---: |");
var variants = new List<(string Name, string Mode, WorkerCommand? Worker)> { ("threads: MonitorQueue between two threads", RunModes.Threads, null) };
variants.AddRange(workers.Select(w => ($"processes: SharedRingQueue between two {w.Flavour} workers", RunModes.Processes, (WorkerCommand?)w)));
foreach (var (name, mode, worker) in variants)
{
    var latencies = HandOff.Latencies(mode, worker, items, "0.001");
    var flood = HandOff.Throughput(mode, worker, items * 5);
    Console.WriteLine(string.Create(culture,
        $"| {name} | {latencies.Count} | {Stats.Median(latencies):F1} µs | {Stats.P90(latencies):F1} µs | {Stats.Percentile(latencies, 0.99):F1} µs | {flood:N0} |"));
}

return 0;

internal static class Spawn
{
    private static readonly ParameterValues OneItem = Run.Values(RunModes.Processes,
        (S.Producers, "1"), (S.Consumers, "1"), (S.Items, "1"), (S.Capacity, "2"), (S.ProduceDelay, "0"), (S.Jitter, "0"));

    /// <summary>Starts one producer child; returns ms from just before the start to its first frame's stamp, to the parent reading it, and to the reaped exit.</summary>
    public static (double First, double Arrived, double Exited) Once(WorkerCommand worker)
    {
        var runId = "b" + Guid.NewGuid().ToString("N")[..10];
        var names = new SharedQueueNames(runId);
        using var queue = SharedRingQueue.Create(names, QueueKind.Fifo, 2, 2, 1);
        using var recorder = new EventRecorder(1, 1_000);
        using var ring = EventRingReader.Create(EventRing.PathOf(runId, 0));
        try
        {
            var info = new ProcessStartInfo(worker.FileName) { UseShellExecute = false, RedirectStandardOutput = true };
            foreach (var a in worker.PrefixArguments)
            {
                info.ArgumentList.Add(a);
            }

            foreach (var a in new[]
            {
                "--parent", Environment.ProcessId.ToString(CultureInfo.InvariantCulture), "--pgid", "0", "--events", ring.Path,
                "--scenario", S.Id, "--run", runId, "--actor", "0", "--params", ShareLink.EncodeQuery(S.Descriptor, OneItem),
            })
            {
                info.ArgumentList.Add(a);
            }

            long arrived = 0;
            var spawned = Stopwatch.GetTimestamp();
            using var process = Process.Start(info)!;
            // The server's drain thread looks every 8 ms; here the ring is watched without pause.
            while (arrived == 0 && !process.HasExited)
            {
                if (ring.Drain(recorder[0]) > 0)
                {
                    arrived = Stopwatch.GetTimestamp();
                }
            }

            process.WaitForExit();
            var exited = Stopwatch.GetTimestamp();
            ring.Drain(recorder[0]);
            if (process.ExitCode != 0 || ring.FirstTimestamp is null)
            {
                throw new InvalidOperationException($"the {worker.Flavour} worker exited with code {process.ExitCode} after {ring.Read} events");
            }

            arrived = arrived == 0 ? exited : arrived;
            return (Stats.Ms(spawned, ring.FirstTimestamp.Value), Stats.Ms(spawned, arrived), Stats.Ms(spawned, exited));
        }
        finally
        {
            names.Unlink();
        }
    }
}

internal static class HandOff
{
    /// <summary>Put → get latency in µs for each item, from the producer's put stamp to the consumer's get stamp.</summary>
    public static List<double> Latencies(string mode, WorkerCommand? worker, int items, string produceDelay)
    {
        var recorder = Run.Execute(mode, worker, items, produceDelay, out _);
        using (recorder)
        {
            var puts = new Dictionary<long, long>();
            var latencies = new List<double>(items);
            foreach (var e in recorder.Snapshot())
            {
                if (e.Value < 0)
                {
                    continue;
                }

                if (e.Kind == EventKind.Put)
                {
                    puts[e.Value] = e.Timestamp;
                }
                else if (e.Kind == EventKind.Get && puts.TryGetValue(e.Value, out var put))
                {
                    latencies.Add((e.Timestamp - put) * 1_000_000.0 / Stopwatch.Frequency);
                }
            }

            return latencies;
        }
    }

    public static double Throughput(string mode, WorkerCommand? worker, int items)
    {
        using var recorder = Run.Execute(mode, worker, items, "0", out var outcome);
        return outcome.Throughput;
    }
}

internal static class Run
{
    public static ParameterValues Values(string mode, params (string Name, string Value)[] knobs)
    {
        var raw = new Dictionary<string, string?> { [CommonParameters.Mode] = mode };
        foreach (var (name, value) in knobs)
        {
            raw[name] = value;
        }

        var result = ParameterValidator.Validate(S.Descriptor, raw);
        return result.IsValid ? result.Values : throw new ArgumentException(string.Join("; ", result.Errors.Select(e => e.Message)));
    }

    public static EventRecorder Execute(string mode, WorkerCommand? worker, int items, string produceDelay, out ScenarioOutcome outcome)
    {
        var values = Values(mode,
            (S.Producers, "1"), (S.Consumers, "1"), (S.Items, items.ToString(CultureInfo.InvariantCulture)), (S.Capacity, "1"),
            (S.ProduceDelay, produceDelay), (S.ConsumeDelay, "0"), (S.Jitter, "0"), (CommonParameters.TimeScale, "1"));
        var execution = new ProducerConsumerScenario().Create(values, new RunEnvironment("b" + Guid.NewGuid().ToString("N")[..10], worker));
        var recorder = new EventRecorder(execution.Actors.Count, 10_000_000);
        outcome = execution.Execute(recorder, new NoObserver(), CancellationToken.None);
        if (!outcome.Verdict.Held || outcome.Failure is not null)
        {
            throw new InvalidOperationException($"the {mode} run failed: {outcome.Failure} {string.Join("; ", outcome.Verdict.Evidence)}");
        }

        return recorder;
    }

    private sealed class NoObserver : IActorObserver
    {
        public void ActorStarted(int actor, int pid, int threadId)
        {
        }
    }
}

internal static class Stats
{
    public static double Ms(long from, long to) => (to - from) * 1000.0 / Stopwatch.Frequency;

    public static double Median(List<double> values) => Percentile(values, 0.5);

    public static double P90(List<double> values) => Percentile(values, 0.9);

    /// <summary>Nearest-rank percentile.</summary>
    public static double Percentile(List<double> values, double p)
    {
        if (values.Count == 0)
        {
            return double.NaN;
        }

        var sorted = values.Order().ToList();
        var rank = (int)Math.Ceiling(p * sorted.Count) - 1;
        return sorted[Math.Clamp(rank, 0, sorted.Count - 1)];
    }
}
