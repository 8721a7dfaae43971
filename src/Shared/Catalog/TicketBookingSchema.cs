using Playground.Shared.Parameters;

namespace Playground.Shared.Catalog;

/// <summary>The ticket-booking (抢票) scenario's id and knobs.</summary>
public static class TicketBookingSchema
{
    public const string Id = "ticket-booking";

    public const string Buyers = "buyers";
    public const string Tickets = "tickets";
    public const string Think = "think";
    public const string Jitter = "jitter";
    public const string Lock = "lock";
    public const string Store = "store";

    public const string NoLock = "none";
    public const string ThreadLock = "thread";
    public const string FileLock = "flock";
    public const string SemaphoreLock = "semaphore";

    public const string JsonFile = "jsonFile";
    public const string Sqlite = "sqlite";

    /// <summary>The resource of the store's events; the "tickets left" gauge follows it.</summary>
    public const string StoreResource = "store";

    /// <summary>The resource of the mark a buyer records when it is told "success".</summary>
    public const string TicketResource = "ticket";

    /// <summary>The resource every lock flavour records its wait, acquire and release on.</summary>
    public const string LockResource = "lock";

    /// <summary>The run metric a batch averages: buyers told success beyond the tickets the store lost.</summary>
    public const string Oversold = "oversold";

    public static ScenarioDescriptor Descriptor { get; } = new()
    {
        Id = Id,
        Name = "Ticket booking",
        NameZh = "抢票",
        Summary = "Ten buyers race for the last ticket in a real JSON file; switch the lock off and watch it oversell.",
        Modes = [RunModes.Threads, RunModes.Processes],
        ActorFields = [Buyers],
        ItemFields = [Buyers],
        DurationFields = [Buyers, Think, Lock, CommonParameters.TimeScale],
        Gauges = [new GaugeSpec { Id = "left", Resource = StoreResource, LimitParameter = Tickets }],
        Batch = new BatchSpec { Vary = Lock, Measure = Oversold },
        Parameters =
        [
            new ParameterSpec
            {
                Name = Buyers, Label = "Buyers", Type = ParameterType.Integer, DefaultText = "10",
                Min = 1, Max = 100, Step = 1,
                Description = "Buyers that each try to buy one ticket: threads, or one OS process each.",
            },
            new ParameterSpec
            {
                Name = Tickets, Label = "Tickets", Type = ParameterType.Integer, DefaultText = "1",
                Min = 0, Max = 1000, Step = 1,
                Description = "Tickets in the store when the run starts: the file's {\"number\": N}.",
            },
            new ParameterSpec
            {
                Name = Think, Label = "Think time", Type = ParameterType.Number, DefaultText = "0.2",
                Min = 0, Max = 5, Step = 0.05, Unit = "s",
                Description = "How long a buyer pauses after reading the count and again before writing it back (the tutorial's time.sleep(0.2)). The longer it is, the wider the window for a race.",
            },
            new ParameterSpec
            {
                Name = Jitter, Label = "Jitter", Type = ParameterType.Number, DefaultText = "0.2",
                Min = 0, Max = 1, Step = 0.05, Hint = "0.2 = ±20%",
                Description = "Random spread of each think time: 0.2 means each is drawn from ±20% around its value.",
            },
            new ParameterSpec
            {
                Name = Lock, Label = "Lock", Type = ParameterType.Choice, DefaultText = NoLock,
                Description = "What guards the read-think-write of a purchase. The first query (show_ticket) is never locked, as in the tutorial.",
                Options =
                [
                    new ParameterOption(NoLock, "None", "Every buyer reads, thinks and writes when it likes: the race is open."),
                    new ParameterOption(ThreadLock, "In-process lock (threading.Lock)",
                        "A lock in the program's memory. It guards threads; in processes mode each buyer has its own copy and it guards nothing."),
                    new ParameterOption(FileLock, "File lock (flock)",
                        "flock on a lock file beside the store: the kernel lets one holder in at a time, across threads and processes."),
                    new ParameterOption(SemaphoreLock, "Named semaphore (multiprocessing.Lock)",
                        "A POSIX named semaphore with one permit, what Python's multiprocessing.Lock is built on."),
                ],
            },
            new ParameterSpec
            {
                Name = Store, Label = "Store", Type = ParameterType.Choice, DefaultText = JsonFile,
                Description = "Where the count of tickets lives. Both are real files in the run's own temporary folder, created for the run and removed after it.",
                Options =
                [
                    new ParameterOption(JsonFile, "JSON file", "A file holding {\"number\": N}, read and written whole, as in the tutorial."),
                    new ParameterOption(Sqlite, "SQLite row",
                        "A row of a SQLite database file: a SELECT, then an UPDATE, each on its own, with no transaction around the pair."),
                ],
            },
            CommonParameters.ModeSpec([RunModes.Threads, RunModes.Processes]),
            CommonParameters.SeedSpec,
            CommonParameters.TimeScaleSpec,
        ],
    };
}
