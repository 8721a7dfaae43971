using System.Diagnostics;
using System.Runtime.Versioning;

namespace Playground.Processes.Tests;

/// <summary>
/// build/find-clang.sh, which decides whether the build makes the NativeAOT worker and with which
/// clang; it runs here on a PATH of made-up compilers (any executable will do: it is only named).
/// </summary>
[SupportedOSPlatform("linux")]
public sealed class WorkerToolchainTests : IDisposable
{
    private readonly DirectoryInfo _bin = Directory.CreateTempSubdirectory("pg-clang-test-");

    public void Dispose() => _bin.Delete(recursive: true);

    private void Tool(string name, bool executable = true)
    {
        var path = Path.Combine(_bin.FullName, name);
        File.WriteAllText(path, "#!/bin/sh\n");
        if (executable)
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }

    /// <summary>What the script prints with only the made-up folder (and one that does not exist) on PATH.</summary>
    private string FindClang()
    {
        var info = new ProcessStartInfo("/bin/sh") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "find-clang.sh"));
        info.Environment["PATH"] = "/nonexistent:" + _bin.FullName;
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        Assert.True(process.WaitForExit(TimeSpan.FromSeconds(10)), "find-clang.sh did not finish");
        Assert.Equal(0, process.ExitCode);
        Assert.Equal("", error.Result);
        return output.Result.TrimEnd('\n');
    }

    [Fact]
    public void Without_any_clang_it_prints_nothing_so_the_build_falls_back_to_the_framework_dependent_worker()
    {
        Tool("gcc");
        Tool("clang-format-15");
        Tool("clang-cpp-15");

        Assert.Equal("", FindClang());
    }

    [Fact]
    public void A_plain_clang_wins_over_versioned_ones()
    {
        Tool("clang-15");
        Tool("clang");

        Assert.Equal("clang", FindClang());
    }

    [Fact]
    public void With_only_versioned_clangs_the_newest_executable_one_is_chosen_and_other_llvm_tools_are_not()
    {
        Tool("clang-9");
        Tool("clang-14");
        Tool("clang-16", executable: false);
        Tool("clang-format-18");
        Tool("clang-14.py");

        Assert.Equal("clang-14", FindClang());
    }
}
