using BenchmarkDotNet.Running;

namespace Playground.Benchmarks;

public static class Program
{
    // dotnet run -c Release --project tests/Benchmarks -- --filter '*' --job short
    public static void Main(string[] args) => BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
}
