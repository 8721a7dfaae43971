using System.Diagnostics;
using System.Globalization;
using Playground.Scenarios.Recording;
using Playground.Shared.Catalog;
using Playground.Shared.Events;
using Playground.Tests.Common;

namespace Playground.Benchmarks;

/// <summary>
/// A timed script for the level-of-detail index: a synthetic run of N events (10 million by default)
/// over 16 lanes — producers and consumers putting and getting with waits in between, and a queue
/// depth on every put and get — then the cost of indexing it per event, the memory per event of the
/// log and of the index, and the time of a full-width query (1,400 buckets) at every zoom level from
/// the whole run down to 1 µs, p50 and p99 over random windows.
///
///   dotnet run -c Release --project tests/Benchmarks -- tiles [events] [queries per level]
/// </summary>
public static class TileBenchmark
{
    private static readonly GaugeSpec Depth = new() { Id = "depth", Resource = "queue" };

    public static void Run(string[] args)
    {
        var events = args.Length > 0 ? long.Parse(args[0], CultureInfo.InvariantCulture) : 10_000_000;
        var queries = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 200;
        const int lanes = 16;
        const int buckets = 1400;
        var perLane = (int)(events / lanes);

        Console.WriteLine($"# Tile index benchmark ({DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores, .NET {Environment.Version})");
        Console.WriteLine($"{perLane * (long)lanes:N0} events over {lanes} lanes; queries of {buckets:N0} buckets; {queries} random windows per zoom level");

        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        var before = GC.GetTotalMemory(forceFullCollection: true);
        // Room for every event: each lane reserves whole chunks of the shared cap.
        using var recorder = new EventRecorder(lanes, (perLane + 8192L) * lanes);
        var end = SyntheticRun.Fill(recorder, perLane);
        var random = new Random(7);

        var logged = GC.GetTotalMemory(forceFullCollection: true);
        var index = new TileIndex(recorder, [Depth]);
        var clock = Stopwatch.StartNew();
        index.Query(0, end, 1, end, 0); // the first query indexes the whole log
        var buildMs = clock.Elapsed.TotalMilliseconds;
        var indexed = GC.GetTotalMemory(forceFullCollection: true);
        GC.KeepAlive(index);

        var count = recorder.Count;
        Console.WriteLine();
        Console.WriteLine("| measure | value |");
        Console.WriteLine("|---|---|");
        Console.WriteLine($"| run length | {end / 1e9:0.00} s |");
        Console.WriteLine($"| index build | {buildMs:N0} ms, {buildMs * 1e6 / count:0.0} ns per event |");
        Console.WriteLine($"| log in memory | {(logged - before) / 1048576.0:N0} MB, {(double)(logged - before) / count:0.0} B per event |");
        Console.WriteLine($"| index in memory | {(indexed - logged) / 1048576.0:N0} MB, {(double)(indexed - logged) / count:0.0} B per event |");
        Console.WriteLine();
        Console.WriteLine("| window | events in it (mean) | query p50 | query p99 | raw events listed |");
        Console.WriteLine("|---|---:|---:|---:|---|");
        for (var span = end; span >= 1_000; span /= 10)
        {
            var times = new List<double>(queries);
            long listed = 0;
            double inWindow = 0;
            for (var q = 0; q < queries; q++)
            {
                var from = span >= end ? 0 : random.NextInt64(0, end - span);
                clock.Restart();
                var window = index.Query(from, from + span, buckets, end, 5_000);
                times.Add(clock.Elapsed.TotalMilliseconds);
                listed += window.Events is null ? 0 : 1;
                inWindow += (double)count * span / end;
            }

            times.Sort();
            Console.WriteLine($"| {Span(span)} | {inWindow / queries:N0} | {times[times.Count / 2]:0.00} ms | {times[(int)(times.Count * 0.99)]:0.00} ms | {listed} of {queries} |");
        }

        // What the answer costs on the wire: the whole run, and a window small enough to list its events.
        Console.WriteLine();
        Console.WriteLine("| answer | JSON | serialize | MessagePack | serialize |");
        Console.WriteLine("|---|---:|---:|---:|---:|");
        foreach (var (label, span) in new[] { ("whole run", end), ("100 µs with its events", 100_000L) })
        {
            var window = index.Query(end - span, end, buckets, end, 5_000);
            var json = Measure(() => System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(window, Web));
            var packed = Measure(() => MessagePack.MessagePackSerializer.Serialize(window, MessagePack.Resolvers.ContractlessStandardResolver.Options));
            Console.WriteLine($"| {label} | {json.Bytes / 1024.0:N0} KB | {json.Ms:0.00} ms | {packed.Bytes / 1024.0:N0} KB | {packed.Ms:0.00} ms |");
        }
    }

    private static readonly System.Text.Json.JsonSerializerOptions Web = new(System.Text.Json.JsonSerializerDefaults.Web);

    /// <summary>The size of one serialization and the median time of 21.</summary>
    private static (int Bytes, double Ms) Measure(Func<byte[]> serialize)
    {
        var size = serialize().Length;
        var times = new List<double>();
        for (var i = 0; i < 21; i++)
        {
            var clock = Stopwatch.StartNew();
            serialize();
            times.Add(clock.Elapsed.TotalMilliseconds);
        }

        times.Sort();
        return (size, times[times.Count / 2]);
    }

    private static string Span(long ns) => ns switch
    {
        >= 1_000_000_000 => $"{ns / 1e9:0.##} s",
        >= 1_000_000 => $"{ns / 1e6:0.##} ms",
        _ => $"{ns / 1e3:0.##} µs",
    };
}
