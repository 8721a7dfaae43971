using BenchmarkDotNet.Running;

namespace Playground.Benchmarks;

public static class Program
{
    // dotnet run -c Release --project tests/Benchmarks -- --filter '*' --job short
    // dotnet run -c Release --project tests/Benchmarks -- viewer-flood [seconds] [events/s] [viewers] [ms per batch]
    // dotnet run -c Release --project tests/Benchmarks -- viewer-load [viewers] [msgpack|json] [items] [Section:Key=value...]
    // dotnet run -c Release --project tests/Benchmarks -- abuse-memory [repeats]
    // dotnet run -c Release --project tests/Benchmarks -- tiles [events] [queries per level]
    // dotnet run -c Release --project tests/Benchmarks -- saved-runs [restarts]
    public static async Task Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "abuse-memory")
        {
            await AbuseMemory.RunAsync(args[1..]);
            return;
        }

        if (args.Length > 0 && args[0] == "tiles")
        {
            TileBenchmark.Run(args[1..]);
            return;
        }

        if (args.Length > 0 && args[0] == "saved-runs")
        {
            await SavedRunBenchmark.RunAsync(args[1..]);
            return;
        }

        if (args.Length > 0 && args[0] == "viewer-load")
        {
            await ViewerLoad.RunAsync(args[1..]);
            return;
        }

        if (args.Length > 0 && args[0] == "viewer-flood")
        {
            await ViewerFlood.RunAsync(args[1..]);
            return;
        }

        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
    }
}
