using Playground.Shared.Parameters;

namespace Playground.Shared.Catalog;

/// <summary>The producer/consumer (包子) scenario's id and knobs.</summary>
public static class ProducerConsumerSchema
{
    public const string Id = "producer-consumer";

    public const string Producers = "producers";
    public const string Consumers = "consumers";
    public const string Items = "items";
    public const string Capacity = "capacity";
    public const string ProduceDelay = "produceDelay";
    public const string ConsumeDelay = "consumeDelay";
    public const string Jitter = "jitter";
    public const string QueueKind = "queueKind";
    public const string Shutdown = "shutdown";

    public const string Fifo = "fifo";
    public const string Lifo = "lifo";
    public const string Priority = "priority";

    public const string Sentinel = "sentinel";
    public const string Joinable = "joinable";
    public const string Poll = "poll";

    public static ScenarioDescriptor Descriptor { get; } = new()
    {
        Id = Id,
        Name = "Producer / consumer",
        NameZh = "包子 · 生产者消费者",
        Summary = "A cook makes meat buns into a small basket while eaters take them out. Watch who waits on a full basket and who waits on an empty one.",
        Modes = [RunModes.Threads, RunModes.Processes],
        ActorFields = [Producers, Consumers],
        ItemFields = [Producers, Items],
        DurationFields = [Items, ProduceDelay, ConsumeDelay, Consumers, CommonParameters.TimeScale],
        Gauges = [new GaugeSpec { Id = "depth", Resource = "queue", LimitParameter = Capacity }],
        Parameters =
        [
            new ParameterSpec
            {
                Name = Producers, Label = "Producers", Type = ParameterType.Integer, DefaultText = "1",
                Min = 1, Max = 16, Step = 1,
                Description = "Actors (threads or processes) that make items and put them in the queue.",
            },
            new ParameterSpec
            {
                Name = Consumers, Label = "Consumers", Type = ParameterType.Integer, DefaultText = "2",
                Min = 1, Max = 16, Step = 1,
                Description = "Actors (threads or processes) that take items out of the queue and eat them.",
            },
            new ParameterSpec
            {
                Name = Items, Label = "Items per producer", Type = ParameterType.Integer, DefaultText = "20",
                Min = 1, Max = 10000, Step = 1,
                Description = "How many items each producer makes before it stops.",
            },
            new ParameterSpec
            {
                Name = Capacity, Label = "Queue capacity", Type = ParameterType.Integer, DefaultText = "5",
                Min = 0, Max = 1000, Step = 1, Hint = "0 = unbounded",
                Description = "How many items fit in the queue; a producer blocks when it is full. 0 means no limit.",
            },
            new ParameterSpec
            {
                Name = ProduceDelay, Label = "Produce delay", Type = ParameterType.Number, DefaultText = "0.2",
                Min = 0, Max = 10, Step = 0.05, Unit = "s",
                Description = "Time a producer spends making one item.",
            },
            new ParameterSpec
            {
                Name = ConsumeDelay, Label = "Consume delay", Type = ParameterType.Number, DefaultText = "0.7",
                Min = 0, Max = 10, Step = 0.05, Unit = "s",
                Description = "Time a consumer spends eating one item.",
            },
            new ParameterSpec
            {
                Name = Jitter, Label = "Jitter", Type = ParameterType.Number, DefaultText = "0.2",
                Min = 0, Max = 1, Step = 0.05, Hint = "0.2 = ±20%",
                Description = "Random spread of each delay: 0.2 means each delay is drawn from ±20% around its value.",
            },
            new ParameterSpec
            {
                Name = QueueKind, Label = "Queue kind", Type = ParameterType.Choice, DefaultText = Fifo,
                Description = "Order in which items leave the queue.",
                Options =
                [
                    new ParameterOption(Fifo, "FIFO (queue.Queue)", "First in, first out."),
                    new ParameterOption(Lifo, "LIFO (queue.LifoQueue)", "Last in, first out, like a stack."),
                    new ParameterOption(Priority, "Priority (queue.PriorityQueue)", "Lowest priority number first."),
                ],
            },
            new ParameterSpec
            {
                Name = Shutdown, Label = "Shutdown style", Type = ParameterType.Choice, DefaultText = Sentinel,
                Description = "How consumers learn that there is nothing more to eat.",
                Options =
                [
                    new ParameterOption(Sentinel, "Sentinel (None per consumer)", "After the last item, one None per consumer; a consumer stops when it gets one."),
                    new ParameterOption(Joinable, "Joinable queue (task_done + join)", "Consumers are daemons calling task_done; the run ends when join() sees every item done."),
                    new ParameterOption(Poll, "Busy poll (empty())", "Consumers check empty() and retry later instead of blocking: the anti-pattern. Wasted polls are counted."),
                ],
            },
            CommonParameters.ModeSpec([RunModes.Threads, RunModes.Processes]),
            CommonParameters.SeedSpec,
            CommonParameters.TimeScaleSpec,
        ],
    };
}
