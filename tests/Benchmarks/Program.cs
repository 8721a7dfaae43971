using BenchmarkDotNet.Running;

namespace Playground.Benchmarks;

public static class Program
{
    // dotnet run -c Release --project tests/Benchmarks -- --filter '*' --job short
    // dotnet run -c Release --project tests/Benchmarks -- viewer-flood [seconds] [events/s] [viewers] [ms per batch]
    public static async Task Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "viewer-flood")
        {
            await ViewerFlood.RunAsync(args[1..]);
            return;
        }

        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
    }
}
