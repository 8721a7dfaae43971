using Playground.Shared.Parameters;

namespace Playground.Shared.Catalog;

/// <summary>The event (老板与工人, boss and workers) scenario's id and knobs.</summary>
public static class EventSchema
{
    public const string Id = "event";

    public const string Workers = "workers";
    public const string Rounds = "rounds";
    public const string BossPause = "bossPause";
    public const string Work = "work";
    public const string Jitter = "jitter";
    public const string WaitTimeout = "waitTimeout";

    /// <summary>The resource of the flag's events, and of its band under the lanes.</summary>
    public const string FlagResource = "flag";

    public static ScenarioDescriptor Descriptor { get; } = new()
    {
        Id = Id,
        Name = "Event",
        NameZh = "老板与工人",
        Summary = "The boss sets a flag and every waiting worker wakes; the workers clear it and wait again until the boss sets it once more.",
        Modes = [RunModes.Threads, RunModes.Processes, RunModes.Async],
        ActorFields = [Workers],
        ItemFields = [Workers, Rounds],
        DurationFields = [Rounds, BossPause, Work, CommonParameters.TimeScale],
        Gauges = [new GaugeSpec { Id = "flag", Resource = FlagResource, Style = GaugeStyle.Band }],
        Parameters =
        [
            new ParameterSpec
            {
                Name = Workers, Label = "Workers", Type = ParameterType.Integer, DefaultText = "5",
                Min = 1, Max = 100, Step = 1,
                Description = "Actors (threads, processes or tasks) that wait for the boss's flag.",
            },
            new ParameterSpec
            {
                Name = Rounds, Label = "Sets by the boss", Type = ParameterType.Integer, DefaultText = "2",
                Min = 1, Max = 10, Step = 1,
                Description = "How often the boss sets the flag. Before the last set the boss says the workers may go home; before each other set they work another round.",
            },
            new ParameterSpec
            {
                Name = BossPause, Label = "Boss's pause", Type = ParameterType.Number, DefaultText = "6",
                Min = 0, Max = 60, Step = 0.5, Unit = "s",
                Description = "How long the boss waits between two sets.",
            },
            new ParameterSpec
            {
                Name = Work, Label = "Work", Type = ParameterType.Number, DefaultText = "1",
                Min = 0, Max = 10, Step = 0.1, Unit = "s",
                Description = "How long a worker works after passing a wait, before it clears the flag and waits again.",
            },
            new ParameterSpec
            {
                Name = Jitter, Label = "Jitter", Type = ParameterType.Number, DefaultText = "0.2",
                Min = 0, Max = 1, Step = 0.05, Hint = "0.2 = ±20%",
                Description = "Random spread of each worker's work: 0.2 means it is drawn from ±20% around its value.",
            },
            new ParameterSpec
            {
                Name = WaitTimeout, Label = "Wait timeout", Type = ParameterType.Number, DefaultText = "0",
                Min = 0, Max = 60, Step = 0.5, Unit = "s", Hint = "0 = wait forever",
                Description = "How long a worker's wait may last. When it runs out the wait returns False, as Python's wait(timeout) does, and the worker goes on as if it had passed.",
            },
            CommonParameters.ModeSpec([RunModes.Threads, RunModes.Processes, RunModes.Async]),
            CommonParameters.SeedSpec,
            CommonParameters.TimeScaleSpec,
        ],
    };
}
