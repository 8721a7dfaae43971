using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using Playground.Scenarios.Processes;
using Playground.SpeedBenchmarks;
using Playground.Shared.Catalog;
using Playground.Tests.Common;

// Timed script: the producer/consumer scenario against the CPython programs it stands for, ours and
// theirs alternating round by round in the same run, so drift of the machine hits both. Prints one
// markdown table (ours beside the reference, with the ratio and the target), then the details.
//   (1) threads, capacity 64, every put and get recorded: items/s vs queue.Queue(64) between two threads;
//   (2) the same at capacity 1 vs queue.Queue(1);
//   (3) processes, capacity 64, steady state: items/s vs multiprocessing.Queue(64) between two processes;
//   (4) processes, put → get hand-off with the consumer asleep vs POSIX semaphore ping-pong (the
//       kernel's own wake-up) and vs multiprocessing.Queue(1);
//   (5) a child's start-up (spawn → first event) vs multiprocessing's fork and spawn.
// Throughput is read inside each run, between the consumer's 10%-th and 90%-th get, on both sides.
//
//   dotnet run -c Release --project tests/SpeedBenchmarks -- [--aot /tmp/worker-aot/Playground.Worker] [--rounds 4] [--python python3] [--rows 1,2,3,4,5] [--settle 0.5]
//
// On a shared machine, --settle C waits before each side's turn (a minute at most) until other
// processes have used fewer than C cores for a second. Their share is printed either way.
var options = Args.Parse(args);
var settle = options.Number("settle", double.NaN);
var settled = TimeSpan.Zero;
var rounds = Math.Max(1, options.Int("rounds", 4));
var rows = (options.Text("rows") ?? "1,2,3,4,5").Split(',').Select(r => int.Parse(r, CultureInfo.InvariantCulture)).ToHashSet();
var python = options.Text("python") ?? "python3";
var clock = Stopwatch.StartNew();

// The worker the build put next to this program: NativeAOT wherever the machine has clang.
var (built, builtStatus) = WorkerLocation.Locate(null);
if (built is null)
{
    Console.Error.WriteLine(builtStatus);
    return 1;
}

static string NameOf(WorkerCommand worker) => worker.Flavour == "native" ? "NativeAOT worker" : "framework-dependent worker";

var workers = new List<(string Name, WorkerCommand Command)> { (NameOf(built), built) };
if (options.Text("aot") is { } aotPath)
{
    var (native, status) = WorkerLocation.Locate(aotPath);
    if (native is null || native.Flavour != "native")
    {
        Console.Error.WriteLine($"the NativeAOT worker is not usable: {status}");
        return 1;
    }

    workers.Add(("NativeAOT worker", native));
}

using var cpython = new ReferencePrograms(python);
var roundTrip = Machine.CacheLineRoundTrip();
var load = OtherLoad.Mark();
var items = PlaygroundRuns.MaxItems;
var table = new List<Row>();
var details = new List<string>();
Console.Error.WriteLine($"measuring: {rounds} rounds, {items:N0} items per run; ours and CPython alternate");

// Both sides warm up untimed: our code until the JIT's optimized tier has it (a few seconds of
// runs), CPython's imports and the page cache.
if (rows.Contains(1) || rows.Contains(2))
{
    var warming = Stopwatch.StartNew();
    while (warming.Elapsed < TimeSpan.FromSeconds(3))
    {
        PlaygroundRuns.Throughput(RunModes.Threads, null, 64, items);
        PlaygroundRuns.Throughput(RunModes.Threads, null, 1, items);
    }

    cpython.ThreadsQueue(64, items, 1);
}

// (1) and (2): threads.
foreach (var (row, capacity, runs, target) in new[] { (1, 64, 10, 4.0), (2, 1, 4, 2.0) })
{
    if (!rows.Contains(row))
    {
        continue;
    }

    var ours = new List<Window>();
    var theirs = new List<Window>();
    Alternate(rounds,
        () => ours.AddRange(Enumerable.Range(0, runs).Select(_ => PlaygroundRuns.Throughput(RunModes.Threads, null, capacity, items))),
        () => theirs.AddRange(cpython.ThreadsQueue(capacity, items, runs)));
    var ratio = Rate(ours) / Rate(theirs);
    table.Add(new Row(row, $"threads, 1 producer → 1 consumer, capacity {capacity}, every put/get recorded: items/s, median run",
        Format.Rate(Rate(ours)), $"`queue.Queue({capacity})`, 2 threads: {Format.Rate(Rate(theirs))}", Format.Ratio(ratio),
        $"≥ {target:0}×", ratio >= target));
    details.Add($"capacity {capacity}, threads: ours {Format.Spread(ours)}; CPython {Format.Spread(theirs)} ({ours.Count} and {theirs.Count} runs)");
    Progress($"threads, capacity {capacity}");
}

// (3): processes, steady state.
foreach (var (name, worker) in rows.Contains(3) ? workers : [])
{
    var ours = new List<Window>();
    var theirs = new List<Window>();
    Alternate(rounds,
        () => ours.AddRange(Enumerable.Range(0, 4).Select(_ => PlaygroundRuns.Throughput(RunModes.Processes, worker, 64, items))),
        () => theirs.AddRange(cpython.ProcessQueue(64, items, 4)));
    var ratio = Rate(ours) / Rate(theirs);
    table.Add(new Row(3, $"processes ({name}), capacity 64, steady state, every put/get recorded: items/s, median run",
        Format.Rate(Rate(ours)), $"`multiprocessing.Queue(64)`, 2 processes: {Format.Rate(Rate(theirs))}", Format.Ratio(ratio),
        "≥ 1 M/s and ≥ 5×", Rate(ours) >= 1e6 && ratio >= 5));
    details.Add($"capacity 64, processes ({name}): ours {Format.Spread(ours)}; CPython {Format.Spread(theirs)} ({ours.Count} and {theirs.Count} runs)");
    Progress($"processes throughput, {name}");
}

// (4): hand-off with the consumer asleep: an item every millisecond into a queue of one.
if (rows.Contains(4))
{
    // Short rounds, many of them: the machine's speed drifts within seconds, and ours and the
    // kernel's taking turns every half second meet the same drifts.
    const int HandOffs = 500;
    const double Pause = 0.001;
    var halfTrips = new List<double>();
    var oneWays = new List<double>();
    var queueHandOffs = new List<double>();
    var ourHandOffs = workers.ToDictionary(w => w.Name, _ => new List<double>());
    var handOffRounds = Math.Max(2, rounds * 2);
    Alternate(handOffRounds,
        () =>
        {
            foreach (var (name, worker) in workers)
            {
                ourHandOffs[name].AddRange(PlaygroundRuns.HandOff(RunModes.Processes, worker, HandOffs, Pause));
            }
        },
        () =>
        {
            var (half, oneWay) = cpython.PingPong(HandOffs, Pause);
            halfTrips.AddRange(half);
            oneWays.AddRange(oneWay);
            queueHandOffs.AddRange(cpython.ProcessQueueHandOff(HandOffs, Pause));
        });
    foreach (var (name, _) in workers)
    {
        var ours = ourHandOffs[name];
        var ratio = Stats.Median(ours) / Stats.Median(halfTrips);
        table.Add(new Row(4, $"processes ({name}), put → get hand-off, consumer asleep (an item every ~1 ms, capacity 1): µs, median (p90)",
            Format.Micros(ours), $"POSIX semaphore ping-pong, round trip / 2: {Format.Micros(halfTrips)}", Format.Ratio(ratio), "≤ 1.3×", ratio <= 1.3));
        // The like-for-like reference: each wake-up of a process asleep for a millisecond, stamped
        // as ours are. Half a round trip also averages in the parent's wake-up, which comes a few
        // µs after it went to sleep, while its core is still awake, and so is cheaper.
        var oneWayRatio = Stats.Median(ours) / Stats.Median(oneWays);
        table.Add(new Row(4, "… the same hand-off", Format.Micros(ours),
            $"the same ping-pong, one way stamped directly (the child's stamp on waking − the parent's before posting): {Format.Micros(oneWays)}",
            Format.Ratio(oneWayRatio), "≤ 1.3×", oneWayRatio <= 1.3));
        table.Add(new Row(4, "… the same hand-off", Format.Micros(ours), $"`multiprocessing.Queue(1)` hand-off: {Format.Micros(queueHandOffs)}",
            Format.Ratio(Stats.Median(ours) / Stats.Median(queueHandOffs)), "—", null));
        details.Add($"hand-off ({name}), µs at p10 / p25 / median / p75 / p90: ours {Format.Quantiles(ours)}; " +
            $"kernel one way {Format.Quantiles(oneWays)}; round trip / 2 {Format.Quantiles(halfTrips)}");
    }

    details.Add($"hand-offs: {HandOffs:N0} per round, {handOffRounds} round(s)");
    Progress("hand-off");
}

// (5): a child's start-up, spawn → first event, as each run's summary reports it.
if (rows.Contains(5))
{
    var startups = workers.ToDictionary(w => w.Name, _ => new List<double>());
    var forks = new List<double>();
    var spawns = new List<double>();
    Alternate(Math.Max(1, rounds / 2),
        () =>
        {
            foreach (var (name, worker) in workers)
            {
                for (var i = 0; i < 8; i++)
                {
                    startups[name].AddRange(PlaygroundRuns.ChildStartup(worker));
                }
            }
        },
        () =>
        {
            forks.AddRange(cpython.ChildStart("fork", 12));
            spawns.AddRange(cpython.ChildStart("spawn", 12));
        });
    foreach (var (name, _) in workers)
    {
        var ours = startups[name];
        table.Add(new Row(5, $"child ready, {name}: spawn → first event, ms, median (p90)", Format.Millis(ours),
            $"`multiprocessing` fork: {Format.Millis(forks)}; spawn: {Format.Millis(spawns)}",
            $"{Format.Ratio(Stats.Median(ours) / Stats.Median(forks))} fork, {Format.Ratio(Stats.Median(ours) / Stats.Median(spawns))} spawn",
            "≤ 10 ms", Stats.Median(ours) <= 10));
    }

    details.Add($"start-ups: ours {string.Join(", ", startups.Select(s => $"{s.Value.Count} children ({s.Key})"))}; CPython {forks.Count} forks, {spawns.Count} spawns");
    Progress("start-up");
}

var others = OtherLoad.Cores(load, OtherLoad.Mark());
Console.WriteLine($"# Speed: the playground against CPython ({DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC)");
Console.WriteLine();
Console.WriteLine($"{Machine.CpuModel()}, {Environment.ProcessorCount} cores, .NET {Environment.Version}, {RuntimeInformation.OSDescription}, {cpython.Version()}; " +
    $"{clock.Elapsed.TotalSeconds:F0} s{(double.IsNaN(settle) ? "" : $" ({settled.TotalSeconds:F0} s of it waiting for other processes to use under {settle} cores)")}, " +
    $"other processes used {others:F2} cores on average meanwhile.");
Console.WriteLine();
Console.WriteLine("| # | measure | ours | CPython reference | ours ÷ reference | target | met |");
Console.WriteLine("| --- | --- | ---: | --- | ---: | --- | --- |");
foreach (var row in table)
{
    var met = row.Met switch { true => "yes", false => "**no**", null => "" };
    Console.WriteLine($"| {row.Group} | {row.Measure} | {row.Ours} | {row.Reference} | {row.Ratio} | {row.Target} | {met} |");
}

Console.WriteLine();
Console.WriteLine("Details:");
Console.WriteLine();
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"- one write's round trip between two threads on two cores, a cache line each way: {roundTrip:F0} ns (median of 1,000-trip windows): a put and a get of the other thread cost at least that."));
foreach (var line in details)
{
    Console.WriteLine($"- {line}");
}

return 0;

// Runs ours then theirs in even rounds and theirs then ours in odd ones, each after the machine settles.
void Alternate(int rounds, Action ours, Action theirs)
{
    for (var r = 0; r < rounds; r++)
    {
        foreach (var side in r % 2 == 0 ? [ours, theirs] : new[] { theirs, ours })
        {
            if (!double.IsNaN(settle))
            {
                settled += OtherLoad.Settle(settle, TimeSpan.FromMinutes(1));
            }

            side();
        }
    }
}

// A row's rate is the median run's: a run that another process kept off the processors counts
// once, not in proportion to how long it was held up. The pooled rate is in the details.
static double Rate(List<Window> windows) => Stats.Median([.. windows.Select(w => w.Items / w.Seconds)]);

void Progress(string what) => Console.Error.WriteLine($"  {clock.Elapsed.TotalSeconds,5:F0} s  {what} done");

internal sealed record Row(int Group, string Measure, string Ours, string Reference, string Ratio, string Target, bool? Met);

internal static class Format
{
    public static string Rate(double perSecond) => perSecond >= 1e6
        ? string.Create(CultureInfo.InvariantCulture, $"{perSecond / 1e6:F2} M/s")
        : string.Create(CultureInfo.InvariantCulture, $"{perSecond / 1e3:F1} k/s");

    public static string Ratio(double ratio) => string.Create(CultureInfo.InvariantCulture, $"{ratio:F2}×");

    public static string Quantiles(List<double> us) =>
        string.Join(" / ", new[] { 0.1, 0.25, 0.5, 0.75, 0.9 }.Select(p => Stats.Percentile(us, p).ToString("F1", CultureInfo.InvariantCulture)));

    public static string Micros(List<double> us) =>
        string.Create(CultureInfo.InvariantCulture, $"{Stats.Median(us):F1} µs ({Stats.Percentile(us, 0.9):F1})");

    public static string Millis(List<double> ms) =>
        string.Create(CultureInfo.InvariantCulture, $"{Stats.Median(ms):F1} ms ({Stats.Percentile(ms, 0.9):F1})");

    /// <summary>The slowest and fastest run's rate, and all runs' items over all their seconds.</summary>
    public static string Spread(List<Window> windows)
    {
        var rates = windows.Select(w => w.Items / w.Seconds).ToList();
        return $"runs from {Rate(rates.Min())} to {Rate(rates.Max())}, pooled {Rate(windows.Sum(w => w.Items) / windows.Sum(w => w.Seconds))}";
    }
}

internal static class Stats
{
    public static double Median(List<double> values) => Percentile(values, 0.5);

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

/// <summary>What the machine is.</summary>
internal static class Machine
{
    /// <summary>
    /// Two threads bounce a counter between two cores, each writing on a cache line of its own and
    /// spinning until the other's write shows: the nanoseconds of one round trip (a line each way),
    /// median of windows of 1,000. Handing an item to a thread on the other core cannot take less.
    /// It stops after the first window that ends past half a second: on a machine where the two
    /// threads must share a core, each trip waits for a time slice and one window says so.
    /// </summary>
    public static double CacheLineRoundTrip()
    {
        if (Environment.ProcessorCount < 2)
        {
            // One core: the spinning threads would take turns by time slices.
            return double.NaN;
        }

        const int Trips = 500_000;
        const int Window = 1_000;
        const long Stop = -1;
        var line = new long[32];
        var windows = new List<double>(Trips / Window);
        var echo = new Thread(() =>
        {
            for (long i = 1; i <= Trips; i++)
            {
                long seen;
                while ((seen = Volatile.Read(ref line[0])) != i)
                {
                    if (seen == Stop)
                    {
                        return;
                    }
                }

                Volatile.Write(ref line[16], i);
            }
        });
        echo.Start();
        var deadline = Stopwatch.GetTimestamp() + (Stopwatch.Frequency / 2);
        var start = Stopwatch.GetTimestamp();
        for (long i = 1; i <= Trips; i++)
        {
            Volatile.Write(ref line[0], i);
            while (Volatile.Read(ref line[16]) != i)
            {
            }

            if (i % Window == 0)
            {
                var now = Stopwatch.GetTimestamp();
                windows.Add(Stopwatch.GetElapsedTime(start, now).TotalNanoseconds / Window);
                start = now;
                if (now > deadline && i < Trips)
                {
                    Volatile.Write(ref line[0], Stop);
                    break;
                }
            }
        }

        echo.Join();
        return windows.Count == 0 ? double.NaN : Stats.Median(windows);
    }

    /// <summary>The processor's model name, as lscpu shows it.</summary>
    public static string CpuModel()
    {
        try
        {
            var line = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
            return line is null ? RuntimeInformation.ProcessArchitecture.ToString() : line[(line.IndexOf(':') + 1)..].Trim();
        }
        catch (IOException)
        {
            return RuntimeInformation.ProcessArchitecture.ToString();
        }
    }
}
