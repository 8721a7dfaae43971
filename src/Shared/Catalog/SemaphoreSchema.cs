using Playground.Shared.Parameters;

namespace Playground.Shared.Catalog;

/// <summary>The semaphore (停车位, parking lot) scenario's id and knobs.</summary>
public static class SemaphoreSchema
{
    public const string Id = "semaphore";

    public const string Workers = "workers";
    public const string Permits = "permits";
    public const string Hold = "hold";
    public const string Jitter = "jitter";
    public const string Arrival = "arrival";
    public const string Kind = "kind";
    public const string ExtraRelease = "extraRelease";

    public const string Together = "together";
    public const string Staggered = "staggered";

    public const string Counting = "counting";
    public const string Bounded = "bounded";

    public const string Off = "off";
    public const string On = "on";

    /// <summary>The resource the cars' semaphore records its events on; the "in use" gauge follows it.</summary>
    public const string Resource = "lot";

    /// <summary>
    /// The time scale this scenario starts at: the tutorial's 100 cars × 5 s over 5 spaces take
    /// 100 s at 1, longer than a run may last; at 0.1 they take about 10 s.
    /// </summary>
    public const string DefaultTimeScale = "0.1";

    public static ScenarioDescriptor Descriptor { get; } = new()
    {
        Id = Id,
        Name = "Semaphore",
        NameZh = "信号量 · 停车位",
        Summary = "A parking lot with five spaces and a hundred cars: who gets in, who waits, and in what order.",
        Modes = [RunModes.Threads, RunModes.Processes, RunModes.Async],
        ActorFields = [Workers],
        ItemFields = [Workers],
        DurationFields = [Workers, Permits, Hold, Arrival, CommonParameters.TimeScale],
        Gauges = [new GaugeSpec { Id = "inUse", Resource = Resource, LimitParameter = Permits }],
        Parameters =
        [
            new ParameterSpec
            {
                Name = Workers, Label = "Cars", Type = ParameterType.Integer, DefaultText = "100",
                Min = 1, Max = 200, Step = 1,
                Description = "Cars that each want one parking space: threads, async tasks, or one OS process each. Processes mode allows fewer, as the form says before Run.",
            },
            new ParameterSpec
            {
                Name = Permits, Label = "Spaces (permits)", Type = ParameterType.Integer, DefaultText = "5",
                Min = 1, Max = 50, Step = 1,
                Description = "The semaphore's starting count: how many cars may be parked at the same time.",
            },
            new ParameterSpec
            {
                Name = Hold, Label = "Parking time", Type = ParameterType.Number, DefaultText = "5",
                Min = 0, Max = 30, Step = 0.5, Unit = "s",
                Description = "How long a car stays in its space before it leaves and releases the permit (the tutorial's time.sleep(5)).",
            },
            new ParameterSpec
            {
                Name = Jitter, Label = "Jitter", Type = ParameterType.Number, DefaultText = "0.2",
                Min = 0, Max = 1, Step = 0.05, Hint = "0.2 = ±20%",
                Description = "Random spread of each parking time, and of the gaps between staggered arrivals: 0.2 means each is drawn from ±20% around its value.",
            },
            new ParameterSpec
            {
                Name = Arrival, Label = "Arrival", Type = ParameterType.Choice, DefaultText = Together,
                Description = "When the cars reach the lot.",
                Options =
                [
                    new ParameterOption(Together, "All at once", "Every car starts at once and asks for a space straight away, as in the tutorial."),
                    new ParameterOption(Staggered, "One after another",
                        "Cars arrive one at a time, one every parking time ÷ spaces seconds (±jitter) — the pace at which the lot frees a space — so the last car comes about (cars − 1) × that gap after the first."),
                ],
            },
            new ParameterSpec
            {
                Name = Kind, Label = "Semaphore kind", Type = ParameterType.Choice, DefaultText = Counting,
                Description = "What happens when the semaphore is released more often than it was acquired.",
                Options =
                [
                    new ParameterOption(Counting, "Counting (threading.Semaphore)", "An extra release silently adds a permit: the lot gains a space nobody built."),
                    new ParameterOption(Bounded, "Bounded (threading.BoundedSemaphore)", "A release that would lift the count above its starting value raises ValueError. It checks the count, not who holds a space."),
                ],
            },
            new ParameterSpec
            {
                Name = ExtraRelease, Label = "Extra release", Type = ParameterType.Choice, DefaultText = Off,
                Description = "Plant the classic bug: one release() too many.",
                Options =
                [
                    new ParameterOption(Off, "Off", "Every car releases once, as it should."),
                    new ParameterOption(On, "On: the first car to leave releases twice", "The first car to leave calls release() a second time, although it no longer holds a space."),
                ],
            },
            CommonParameters.ModeSpec([RunModes.Threads, RunModes.Processes, RunModes.Async]),
            CommonParameters.SeedSpec,
            CommonParameters.TimeScaleSpec with
            {
                DefaultText = DefaultTimeScale,
                Hint = "0.1 here: the tutorial's 100 cars × 5 s over 5 spaces take 100 s at 1, about 10 s at 0.1",
            },
        ],
    };
}
