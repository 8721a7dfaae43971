using Playground.Shared.Parameters;

namespace Playground.Shared.Catalog;

/// <summary>Knobs every scenario has: mode, seed and time scale.</summary>
public static class CommonParameters
{
    public const string Mode = "mode";
    public const string Seed = "seed";
    public const string TimeScale = "timeScale";

    /// <summary>True for a knob every scenario shares (its texts are shared too).</summary>
    public static bool IsCommon(string name) =>
        name is Mode or Seed or TimeScale;

    public static ParameterSpec ModeSpec(IReadOnlyList<string> modes) => new()
    {
        Name = Mode,
        Label = "Mode",
        Type = ParameterType.Choice,
        Description = "Where the actors run: threads of the server process, or one OS process each.",
        DefaultText = modes[0],
        Options = modes.Select(m => new ParameterOption(m, m switch
        {
            RunModes.Threads => "Threads",
            RunModes.Async => "Async tasks",
            _ => "Processes",
        })).ToArray(),
    };

    public static ParameterSpec SeedSpec { get; } = new()
    {
        Name = Seed,
        Label = "Seed",
        Type = ParameterType.Integer,
        Description = "Seed of the random delays, so a run's jitter can be reproduced.",
        DefaultText = "1",
        Min = 0,
        Max = int.MaxValue,
        Step = 1,
        Advanced = true,
    };

    public static ParameterSpec TimeScaleSpec { get; } = new()
    {
        Name = TimeScale,
        Label = "Time scale",
        Type = ParameterType.Number,
        Description = "Multiplies every delay: 1 keeps the tutorial's real seconds, 0.01 runs a hundred times faster.",
        DefaultText = "1",
        Min = 0.001,
        Max = 2,
        Step = 0.1,
        Unit = "×",
        Advanced = true,
    };
}
