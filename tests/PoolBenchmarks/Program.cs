using System.Diagnostics;
using System.Globalization;
using Playground.Tests.Common;
using System.Text.Json;
using Playground.Scenarios.Engine;
using Playground.Scenarios.Pool;
using Playground.Scenarios.Processes;
using Playground.Scenarios.Recording;
using Playground.Shared.Catalog;
using Playground.Shared.Parameters;
using S = Playground.Shared.Catalog.PoolSchema;

// Timed script: the pool scenario's executors against the CPython programs they stand for, on the
// same machine in the same run. Each sample is a whole run, tens of milliseconds to seconds long,
// so a stopwatch is all it takes.
//   (1) CPU-bound speed-up: 20 tasks of 0.2 s on a pool of 1 and of 2 — process pool vs
//       multiprocessing.Pool, thread pool with the emulated GIL vs ThreadPool (the real GIL),
//       and the thread pool without a GIL, which CPython 3.11 has no counterpart for;
//   (2) the seed's benchmark: a process per task against a pool of 2, the same 100 empty tasks.
//
//   dotnet run -c Release --project tests/PoolBenchmarks -- [--repeat 3] [--python python3] [--aot path/to/Playground.Worker] [--settle 0.1]
//
// On a shared machine, --settle C waits before each timed run (two minutes at most) until other
// processes have used fewer than C cores for a second, and runs again (twice at most) a run during
// which they used more. Each run's share of other processes is printed either way.
var options = Args.Parse(args);
var repeat = Math.Max(1, options.Int("repeat", 3));
var python = options.Text("python") ?? "python3";
var settle = options.Number("settle", double.NaN);
var clock = Stopwatch.StartNew();
var culture = CultureInfo.InvariantCulture;

const int CpuTasks = 20;
const double CpuSeconds = 0.2;
const int SpawnTasks = 100;
const int SpawnPool = 2;

// The framework-dependent worker is in worker-framework/ next to this program; the NativeAOT one is
// the build's own worker/ (where clang is installed) or the one --aot names.
var (framework, frameworkStatus) = WorkerLocation.Locate(Path.Combine(AppContext.BaseDirectory, "worker-framework", "Playground.Worker.dll"));
if (framework is null)
{
    Console.Error.WriteLine(frameworkStatus);
    return 1;
}

var workers = new List<WorkerCommand> { framework };
var aotPath = options.Text("aot");
var (native, nativeStatus) = WorkerLocation.Locate(aotPath);
if (native is not null && native.Flavour == "native")
{
    workers.Add(native);
}
else if (aotPath is not null)
{
    Console.Error.WriteLine($"the NativeAOT worker is not usable: {nativeStatus}");
    return 1;
}
else
{
    Console.Error.WriteLine($"No NativeAOT worker next to this program ({nativeStatus}); measuring the framework-dependent one only.");
}

using var cpython = new CPython(python);
var pythonInfo = cpython.Call("info");
var pythonVersion = pythonInfo.GetProperty("version").GetString();
var startMethod = pythonInfo.GetProperty("startMethod").GetString();

var settled = TimeSpan.Zero;
void Settle()
{
    if (!double.IsNaN(settle))
    {
        settled += OtherLoad.Settle(settle, TimeSpan.FromSeconds(120));
    }
}

// Both sides calibrate once, before anything is timed: ours in this process (the children get
// the figure through shared memory), CPython's in one interpreter whose figure every run reuses.
Settle();
var oursPerSecond = CpuWork.IterationsPerSecond;
Settle();
var calibration = cpython.Call("calibrate", Text.Of(CpuSeconds));
var pythonIterations = calibration.GetProperty("iterations").GetInt64();
var pythonCheck = calibration.GetProperty("checkMs").GetDouble();

// Warm-up, untimed: the engine's code paths in this process, and the disk cache for both runtimes.
foreach (var w in workers)
{
    Ours.Cpu(w, S.ProcessPool, gil: false, size: 2, tasks: 4, seconds: 0.01);
    Ours.Spawn(w, S.ProcessPerTask, tasks: 2);
}

Ours.Cpu(framework, S.ThreadPool, gil: true, size: 2, tasks: 4, seconds: 0.01);
cpython.Call("perTask", "2");

var loadBefore = Load.Average();
var samples = new Dictionary<string, List<Sample>>(StringComparer.Ordinal);
var disturbance = new List<(string Key, int Round, double Cores, double Seconds)>();
var redone = 0;
void Measure(string key, Func<Sample> run, int round)
{
    for (var attempt = 1; ; attempt++)
    {
        Settle();
        var before = OtherLoad.Mark();
        var sample = run();
        var others = OtherLoad.Cores(before, OtherLoad.Mark());
        var seconds = sample.WallMs / 1000;
        // When settling, a run that other processes took a share of the cores from is done again,
        // twice at most; five 10 ms ticks of theirs are too few to tell from rounding.
        var again = !double.IsNaN(settle) && attempt < 3 && others * seconds >= Math.Max(settle * seconds, 0.05);
        Console.Error.WriteLine(string.Create(culture,
            $"round {round}: {key,-32} {seconds,7:F2} s   other processes {others,5:F2} cores   load {Load.Average()}{(again ? "   (disturbed: again)" : "")}"));
        if (again)
        {
            redone++;
            continue;
        }

        if (!samples.TryGetValue(key, out var list))
        {
            samples[key] = list = [];
        }

        list.Add(sample);
        disturbance.Add((key, round, others, seconds));
        return;
    }
}

for (var round = 1; round <= repeat; round++)
{
    // Ours and CPython alternate inside a round, so a change in the machine's load hits both.
    foreach (var size in new[] { 1, 2 })
    {
        foreach (var w in workers)
        {
            Measure($"ours {w.Flavour} process pool {size}", () => Ours.Cpu(w, S.ProcessPool, gil: false, size, CpuTasks, CpuSeconds), round);
        }

        Measure($"cpython process pool {size}", () => cpython.Cpu("process", size, CpuTasks, pythonIterations), round);
        Measure($"ours thread pool gil {size}", () => Ours.Cpu(framework, S.ThreadPool, gil: true, size, CpuTasks, CpuSeconds), round);
        Measure($"cpython thread pool {size}", () => cpython.Cpu("thread", size, CpuTasks, pythonIterations), round);
        Measure($"ours thread pool nogil {size}", () => Ours.Cpu(framework, S.ThreadPool, gil: false, size, CpuTasks, CpuSeconds), round);
    }

    foreach (var w in workers)
    {
        Measure($"ours {w.Flavour} per task", () => Ours.Spawn(w, S.ProcessPerTask, SpawnTasks), round);
        Measure($"ours {w.Flavour} pool", () => Ours.Spawn(w, S.ProcessPool, SpawnTasks), round);
    }

    Measure("cpython per task", () => cpython.PerTask(SpawnTasks), round);
    Measure("cpython pool", () => cpython.Pool(SpawnTasks, SpawnPool), round);
}

var loadAfter = Load.Average();
double Wall(string key) => Stats.Median([.. samples[key].Select(s => s.WallMs)]) / 1000;
double Startup(string key) => Stats.Median([.. samples[key].Select(s => s.StartupMs)]);

Console.WriteLine($"# Pool benchmark ({DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores, .NET {Environment.Version}, CPython {pythonVersion}, start method {startMethod})");
Console.WriteLine();
Console.WriteLine(string.Create(culture,
    $"Median of {repeat} runs each, {clock.Elapsed.TotalSeconds:F0} s in all{(double.IsNaN(settle) ? "" : string.Create(culture, $" ({settled.TotalSeconds:F0} s of it waiting for other processes to use under {settle} cores)"))}; load average (1, 5, 15 min) {loadBefore} before, {loadAfter} after. Calibration: ours {oursPerSecond:N0} hash steps/s on one core; CPython {pythonIterations:N0} loop steps for {CpuSeconds} s (one such call took {pythonCheck:F0} ms)."));
Console.WriteLine();
Console.WriteLine(string.Create(culture, $"## (1) CPU-bound: {CpuTasks} tasks × {CpuSeconds} s (spread 0, apply_async), pool of 1 and of 2"));
Console.WriteLine();
Console.WriteLine("| executor | ours, 1 | ours, 2 | ours speed-up | CPython | CPython, 1 | CPython, 2 | CPython speed-up | ours / CPython, 1 | ours / CPython, 2 |");
Console.WriteLine("| --- | ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: |");

void CpuRow(string name, string ours, string? theirs, string theirName)
{
    var (o1, o2) = (Wall(ours + " 1"), Wall(ours + " 2"));
    if (theirs is null)
    {
        Console.WriteLine(string.Create(culture, $"| {name} | {o1:F2} s | {o2:F2} s | {o1 / o2:F2}× | {theirName} | — | — | — | — | — |"));
        return;
    }

    var (p1, p2) = (Wall(theirs + " 1"), Wall(theirs + " 2"));
    Console.WriteLine(string.Create(culture,
        $"| {name} | {o1:F2} s | {o2:F2} s | {o1 / o2:F2}× | {theirName} | {p1:F2} s | {p2:F2} s | {p1 / p2:F2}× | {o1 / p1:F2} | {o2 / p2:F2} |"));
}

foreach (var w in workers)
{
    CpuRow($"process pool ({w.Flavour} worker)", $"ours {w.Flavour} process pool", "cpython process pool", "`multiprocessing.Pool`");
}

CpuRow("thread pool, GIL on", "ours thread pool gil", "cpython thread pool", "`multiprocessing.pool.ThreadPool`");
CpuRow("thread pool, GIL off", "ours thread pool nogil", null, "none (3.11 has a GIL)");
Console.WriteLine();
Console.WriteLine(string.Create(culture, $"## (2) A process per task against a pool of {SpawnPool}: the same {SpawnTasks} empty tasks"));
Console.WriteLine();
Console.WriteLine($"| run | process per task | pool of {SpawnPool} | per task / pool | start → child's first event, mean of {SpawnTasks} | per-task wall / {SpawnTasks} |");
Console.WriteLine("| --- | ---: | ---: | ---: | ---: | ---: |");

void SpawnRow(string name, string key)
{
    var (each, pool) = (Wall(key + " per task"), Wall(key + " pool"));
    Console.WriteLine(string.Create(culture,
        $"| {name} | {each:F2} s | {pool:F2} s | {each / pool:F1}× | {Startup(key + " per task"):F1} ms | {each * 1000 / SpawnTasks:F1} ms |"));
}

foreach (var w in workers)
{
    SpawnRow($"ours, {w.Flavour} worker (`processPerTask` / `processPool`)", $"ours {w.Flavour}");
}

SpawnRow($"CPython {pythonVersion}, {startMethod} (`Process(target=f)` / `Pool({SpawnPool}).apply_async(f)`)", "cpython");
Console.WriteLine();
if (disturbance.All(d => !double.IsNaN(d.Cores)))
{
    // A run shorter than a second is too short for 10 ms ticks to say much on its own.
    var worst = disturbance.Where(d => d.Seconds >= 1).DefaultIfEmpty(disturbance[0]).MaxBy(d => d.Cores);
    var mean = disturbance.Sum(d => d.Cores * d.Seconds) / disturbance.Sum(d => d.Seconds);
    Console.WriteLine(string.Create(culture,
        $"Other processes on the machine used {mean:F2} cores on average during the runs kept; at most {worst.Cores:F2} cores, during \"{worst.Key}\" in round {worst.Round}. Runs done again because other processes took the cores: {redone}."));
}

return 0;

/// <summary>One timed run: its wall time and, where children started, their mean start-up.</summary>
internal readonly record struct Sample(double WallMs, double StartupMs);

/// <summary>Runs the pool scenario through the engine, as the server does, and times the whole of it.</summary>
internal static class Ours
{
    public static Sample Cpu(WorkerCommand worker, string executor, bool gil, int size, int tasks, double seconds) => Run(worker,
        (S.Executor, executor), (S.PoolSize, Text.Of(size)), (S.Gil, gil ? S.On : S.Off), (S.Tasks, Text.Of(tasks)),
        (S.TaskKind, S.Cpu), (S.TaskDuration, Text.Of(seconds)), (S.Spread, "0"));

    /// <summary>Tasks that compute nothing: what is left is starting processes and passing results.</summary>
    public static Sample Spawn(WorkerCommand worker, string executor, int tasks) => Run(worker,
        (S.Executor, executor), (S.PoolSize, "2"), (S.Tasks, Text.Of(tasks)), (S.TaskKind, S.Cpu), (S.TaskDuration, "0"), (S.Spread, "0"));

    private static Sample Run(WorkerCommand worker, params (string Name, string Value)[] knobs)
    {
        var raw = knobs.ToDictionary(k => k.Name, k => (string?)k.Value);
        raw[S.Submit] = S.ApplyAsync;
        raw[CommonParameters.TimeScale] = "1";
        var validated = ParameterValidator.Validate(S.Descriptor, raw);
        if (!validated.IsValid)
        {
            throw new ArgumentException(string.Join("; ", validated.Errors.Select(e => $"{e.Field}: {e.Message}")));
        }

        var runId = "pb" + Guid.NewGuid().ToString("N")[..10];
        var script = (PoolScript)new PoolScenario().Create(validated.Values, new RunEnvironment(runId, worker));
        using var recorder = new EventRecorder(script.Actors.Count, 2_000_000);
        // This thread runs the parent: children die with the thread that started them (PR_SET_PDEATHSIG), and the main thread outlives them all.
        var started = Stopwatch.GetTimestamp();
        var outcome = script.Execute(recorder, new NoObserver(), CancellationToken.None);
        var wall = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        if (!outcome.Verdict.Held || outcome.Failure is not null)
        {
            throw new InvalidOperationException($"the {script.Settings.Executor} run failed: {outcome.Failure?.Format(CultureInfo.InvariantCulture)} " +
                string.Join("; ", outcome.Verdict.Evidence.Select(m => m.Format(CultureInfo.InvariantCulture))));
        }

        var startup = outcome.Metrics.FirstOrDefault(m => m.Name == "startupMeanMs")?.Value ?? double.NaN;
        return new Sample(wall, startup);
    }

    private sealed class NoObserver : IActorObserver
    {
        public void ActorStarted(int actor, int pid, int threadId)
        {
        }
    }
}

/// <summary>The CPython side: a script written to a temporary folder, run once per measurement, and removed with the folder.</summary>
internal sealed class CPython : IDisposable
{
    private readonly string _python;
    private readonly DirectoryInfo _folder;
    private readonly string _script;

    public CPython(string python)
    {
        _python = python;
        _folder = Directory.CreateTempSubdirectory("pool-bench-");
        _script = Path.Combine(_folder.FullName, "pool_bench.py");
        File.WriteAllText(_script, Script);
    }

    public Sample Cpu(string kind, int size, int tasks, long iterations) =>
        Sampled(Call("cpu", kind, Text.Of(size), Text.Of(tasks), Text.Of(iterations)));

    public Sample PerTask(int tasks) => Sampled(Call("perTask", Text.Of(tasks)));

    public Sample Pool(int tasks, int size) => Sampled(Call("pool", Text.Of(tasks), Text.Of(size)));

    /// <summary>Runs the script with <paramref name="arguments"/>; its last line of output is one JSON object.</summary>
    public JsonElement Call(params string[] arguments) => PythonProgram.Call(_python, [_script, .. arguments]);

    public void Dispose() => _folder.Delete(recursive: true);

    private static Sample Sampled(JsonElement result) => new(
        result.GetProperty("wallMs").GetDouble(),
        result.TryGetProperty("startupMs", out var startup) ? startup.GetDouble() : double.NaN);

    private const string Script = """
        import json
        import multiprocessing as mp
        import sys
        import time
        from multiprocessing.pool import ThreadPool

        # Where each child records when it got to run f; inherited by forked children.
        # perf_counter is CLOCK_MONOTONIC on Linux, one clock for every process.
        STAMPS = None


        def spin(n):
            # Dependent integer steps in pure Python: bytecode that holds the GIL throughout.
            x = 1
            for _ in range(n):
                x = (x * 6364136223846793005 + 1442695040888963407) & 0xFFFFFFFFFFFFFFFF
                x ^= x >> 29
            return x


        def f(i):
            # The tutorial's empty task; the one store says when the child got this far.
            if STAMPS is not None:
                STAMPS[i] = time.perf_counter()


        def calibrate(seconds):
            # Fastest of a few trials on the thread's CPU clock, so a preempted trial does not count as slow.
            trial = 100_000
            spin(trial // 10)
            best = float("inf")
            for _ in range(7):
                before = time.thread_time()
                spin(trial)
                best = min(best, time.thread_time() - before)
            n = max(1, round(trial * seconds / best))
            before = time.perf_counter()
            spin(n)
            return {"iterations": n, "checkMs": (time.perf_counter() - before) * 1000}


        def cpu(kind, size, tasks, iterations):
            make = mp.Pool if kind == "process" else ThreadPool
            start = time.perf_counter()
            pool = make(size)
            results = [pool.apply_async(spin, (iterations,)) for _ in range(tasks)]
            for r in results:
                r.get()
            pool.close()
            pool.join()
            return {"wallMs": (time.perf_counter() - start) * 1000}


        def per_task(tasks):
            global STAMPS
            STAMPS = mp.RawArray("d", tasks)
            started = [0.0] * tasks
            start = time.perf_counter()
            processes = []
            for i in range(tasks):
                p = mp.Process(target=f, args=(i,))
                started[i] = time.perf_counter()
                p.start()
                processes.append(p)
            for p in processes:
                p.join()
            wall = time.perf_counter() - start
            if any(p.exitcode != 0 for p in processes):
                raise RuntimeError("a child failed")
            startup = sum(STAMPS[i] - started[i] for i in range(tasks)) / tasks
            return {"wallMs": wall * 1000, "startupMs": startup * 1000}


        def pool(tasks, size):
            global STAMPS
            STAMPS = mp.RawArray("d", tasks)
            start = time.perf_counter()
            workers = mp.Pool(size)
            results = [workers.apply_async(f, (i,)) for i in range(tasks)]
            for r in results:
                r.get()
            workers.close()
            workers.join()
            return {"wallMs": (time.perf_counter() - start) * 1000}


        if __name__ == "__main__":
            command, args = sys.argv[1], sys.argv[2:]
            if command == "info":
                out = {"version": sys.version.split()[0], "startMethod": mp.get_start_method()}
            elif command == "calibrate":
                out = calibrate(float(args[0]))
            elif command == "cpu":
                out = cpu(args[0], int(args[1]), int(args[2]), int(args[3]))
            elif command == "perTask":
                out = per_task(int(args[0]))
            elif command == "pool":
                out = pool(int(args[0]), int(args[1]))
            else:
                raise SystemExit("unknown command " + command)
            print(json.dumps(out))

        """;
}

/// <summary>Other work on the machine skews every figure here: the load average says how much there was.</summary>
internal static class Load
{
    public static string Average()
    {
        try
        {
            return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
        }
        catch (IOException)
        {
            return "unknown";
        }
    }
}

internal static class Text
{
    public static string Of(int value) => value.ToString(CultureInfo.InvariantCulture);

    public static string Of(long value) => value.ToString(CultureInfo.InvariantCulture);

    public static string Of(double value) => value.ToString(CultureInfo.InvariantCulture);
}

internal static class Stats
{
    /// <summary>Nearest-rank median; NaN for none (and NaN samples are left out).</summary>
    public static double Median(List<double> values)
    {
        var sorted = values.Where(v => !double.IsNaN(v)).Order().ToList();
        return sorted.Count == 0 ? double.NaN : sorted[(int)Math.Ceiling(0.5 * sorted.Count) - 1];
    }
}
