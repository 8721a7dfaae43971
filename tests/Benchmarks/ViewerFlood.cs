using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Playground.Scenarios.Engine;
using Playground.Scenarios.Processes;
using Playground.Scenarios.Recording;
using Playground.Server.Processes;
using Playground.Server.Runs;
using Playground.Shared.Catalog;
using Playground.Shared.Events;
using Playground.Shared.Parameters;
using Playground.Shared.Runs;

namespace Playground.Benchmarks;

/// <summary>
/// A timed script, not a BenchmarkDotNet run: a run whose actors record events as fast as a
/// target rate allows (a million a second by default) while viewers read it through the real
/// <see cref="RunEventStream"/> and take a fixed time per batch, like a slow browser. Reports what
/// reaches each viewer per second, what was coalesced, and the server's memory.
///
///   dotnet run -c Release --project tests/Benchmarks -- viewer-flood [seconds] [events/s] [viewers] [ms per batch]
/// </summary>
public static class ViewerFlood
{
    public static async Task RunAsync(string[] args)
    {
        var seconds = Arg(args, 0, 5.0);
        var rate = Arg(args, 1, 1_000_000.0);
        var viewers = (int)Arg(args, 2, 1.0);
        var batchCostMs = Arg(args, 3, 20.0);

        var options = new RunOptions
        {
            MaxDurationSeconds = seconds + 30,
            MaxEventsPerRun = 20_000_000,
            MaxItemsPerRun = long.MaxValue,
            ViewerEventsPerFrame = 5_000,
            ViewerFrameMilliseconds = 50,
        };
        var flood = new FloodScenario(seconds, rate);
        using var manager = new RunManager(new ScenarioRegistry([flood]), Options.Create(options), Options.Create(new ProcessOptions()),
            new WorkerLocator(Options.Create(new ProcessOptions { WorkerPath = "/nonexistent" }), NullLogger<WorkerLocator>.Instance),
            NullLogger<RunManager>.Instance, TimeProvider.System);
        var stream = new RunEventStream(Options.Create(options));

        GC.Collect();
        var before = GC.GetTotalMemory(forceFullCollection: true);
        var started = manager.Start(new RunStartRequest(FloodScenario.Id, null), Playground.Server.Identity.RunOwner.System);
        var run = manager.Find(started.Run!.Id)!;
        var clock = Stopwatch.StartNew();
        var results = await Task.WhenAll(Enumerable.Range(0, viewers).Select(_ => Task.Run(() => ViewAsync(run, stream, batchCostMs))));
        var wall = clock.Elapsed.TotalSeconds;
        var peakWorkingSet = Process.GetCurrentProcess().PeakWorkingSet64;
        var recorded = run.Recorder!.Count;
        var heapWithLog = GC.GetTotalMemory(forceFullCollection: true);

        Console.WriteLine($"# Viewer flood: {seconds:0.#} s at a target of {rate:N0} events/s, {viewers} viewer(s), {batchCostMs:0} ms per batch");
        Console.WriteLine();
        Console.WriteLine($"- recorded: {recorded:N0} events in {wall:0.00} s ({recorded / seconds:N0}/s while producing), dropped by the log cap: {run.Recorder.Dropped:N0}");
        Console.WriteLine($"- managed heap: {before / 1e6:0.0} MB before, {heapWithLog / 1e6:0.0} MB after with the whole log kept ({recorded * 48 / 1e6:0.0} MB is the log at ~48 B/event); peak working set {peakWorkingSet / 1e6:0} MB");
        Console.WriteLine();
        Console.WriteLine("| viewer | batches | events sent | events/s sent | coalesced | JSON bytes/s | max batch |");
        Console.WriteLine("|---:|---:|---:|---:|---:|---:|---:|");
        for (var i = 0; i < results.Length; i++)
        {
            var r = results[i];
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {i + 1} | {r.Batches:N0} | {r.Events:N0} | {r.Events / r.Seconds:N0} | {r.Coalesced:N0} | {r.Bytes / r.Seconds:N0} | {r.MaxBatch:N0} |"));
        }
    }

    private sealed record ViewerResult(long Batches, long Events, long Coalesced, long Bytes, int MaxBatch, double Seconds);

    private static async Task<ViewerResult> ViewAsync(Run run, RunEventStream stream, double batchCostMs)
    {
        long batches = 0, events = 0, coalesced = 0, bytes = 0;
        var maxBatch = 0;
        var clock = Stopwatch.StartNew();
        await foreach (var batch in stream.StreamAsync(run, CancellationToken.None))
        {
            batches++;
            events += batch.Events.Count;
            coalesced += batch.Coalesced;
            maxBatch = Math.Max(maxBatch, batch.Events.Count);
            // What the JSON protocol would put on the wire for this batch.
            bytes += JsonSerializer.SerializeToUtf8Bytes(batch).LongLength;
            // A slow viewer: every batch costs it this long to take in.
            await Task.Delay(TimeSpan.FromMilliseconds(batchCostMs));
        }

        return new ViewerResult(batches, events, coalesced, bytes, maxBatch, clock.Elapsed.TotalSeconds);
    }

    private static double Arg(string[] args, int index, double fallback) =>
        args.Length > index && double.TryParse(args[index], NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : fallback;

    /// <summary>Four actors that change state and put/get as fast as the target rate allows.</summary>
    private sealed class FloodScenario(double seconds, double rate) : IScenario
    {
        public const string Id = "flood";

        public ScenarioDescriptor Descriptor { get; } = new()
        {
            Id = Id,
            Name = "Flood",
            NameZh = "",
            Summary = "Benchmark only.",
            Parameters = [CommonParameters.ModeSpec([RunModes.Threads])],
        };

        public RunPlan Plan(ParameterValues values) => new(4, 0, seconds);

        public IScenarioExecution Create(ParameterValues values, RunEnvironment? environment = null) => new Execution(seconds, rate);

        private sealed class Execution(double seconds, double rate) : IScenarioExecution
        {
            public IReadOnlyList<ActorSpec> Actors { get; } = [.. Enumerable.Range(1, 4).Select(i => new ActorSpec($"actor-{i}", "flood"))];

            public ScenarioOutcome Execute(EventRecorder recorder, IActorObserver observer, CancellationToken cancellationToken)
            {
                var threads = new ActorThreads(recorder, observer);
                var perActor = rate / Actors.Count;
                recorder.MarkStart();
                for (var a = 0; a < Actors.Count; a++)
                {
                    threads.Start(a, Actors[a].Name, log =>
                    {
                        var clock = Stopwatch.StartNew();
                        long n = 0;
                        log.Record(EventKind.Start);
                        while (clock.Elapsed.TotalSeconds < seconds && !cancellationToken.IsCancellationRequested)
                        {
                            for (var i = 0; i < 250; i++, n++)
                            {
                                log.Record((n & 3) switch { 0 => EventKind.Work, 1 => EventKind.Put, 2 => EventKind.Wait, _ => EventKind.Get }, "queue", n, n & 7);
                            }

                            // Pace to the target rate.
                            while (n / perActor > clock.Elapsed.TotalSeconds && clock.Elapsed.TotalSeconds < seconds)
                            {
                                Thread.SpinWait(50);
                            }
                        }

                        log.Record(EventKind.End);
                    });
                }

                threads.JoinAll();
                return new ScenarioOutcome(0, Playground.Shared.Text.Msg.Of("unit.itemsPerSecond"), [], new Verdict(true, Playground.Shared.Text.Msg.Of("pc.invariant"), []), [], [0, 0, 0, 0]);
            }
        }
    }
}
