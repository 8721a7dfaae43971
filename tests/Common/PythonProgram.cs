using System.Diagnostics;
using System.Text.Json;

namespace Playground.Tests.Common;

/// <summary>A CPython program run to its end by a timed script, for the figures it prints.</summary>
public static class PythonProgram
{
    /// <summary>The standard output of <paramref name="python"/> run with <paramref name="arguments"/>; throws with its errors when it fails.</summary>
    public static string Run(string python, IEnumerable<string> arguments)
    {
        var info = new ProcessStartInfo(python) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in arguments)
        {
            info.ArgumentList.Add(a);
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException($"{python} did not start");
        var errors = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{python} {string.Join(' ', info.ArgumentList)} exited with {process.ExitCode}: {errors.Result}");
        }

        return output;
    }

    /// <summary>Runs a program whose last line of output is one JSON value, and returns that value.</summary>
    public static JsonElement Call(string python, IEnumerable<string> arguments)
    {
        using var json = JsonDocument.Parse(Run(python, arguments).Trim().Split('\n')[^1]);
        return json.RootElement.Clone();
    }
}
