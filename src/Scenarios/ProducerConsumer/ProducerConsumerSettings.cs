using Playground.Scenarios.Primitives;
using Playground.Shared.Catalog;
using Playground.Shared.Parameters;
using S = Playground.Shared.Catalog.ProducerConsumerSchema;

namespace Playground.Scenarios.ProducerConsumer;

/// <summary>How consumers learn there is nothing more to eat.</summary>
public enum ShutdownStyle
{
    Sentinel,
    Joinable,
    Poll,
}

/// <summary>The producer/consumer knobs, typed. Built only from validated values.</summary>
public sealed record ProducerConsumerSettings(
    int Producers,
    int Consumers,
    int ItemsPerProducer,
    int Capacity,
    double ProduceDelay,
    double ConsumeDelay,
    double Jitter,
    QueueKind QueueKind,
    ShutdownStyle Shutdown,
    int Seed,
    double TimeScale)
{
    /// <summary>How long a polling consumer waits before it looks again, before time scaling.</summary>
    public const double PollIntervalSeconds = 0.05;

    public long TotalItems => (long)Producers * ItemsPerProducer;

    public static ProducerConsumerSettings From(ParameterValues v) => new(
        v.GetInt32(S.Producers),
        v.GetInt32(S.Consumers),
        v.GetInt32(S.Items),
        v.GetInt32(S.Capacity),
        v.GetDouble(S.ProduceDelay),
        v.GetDouble(S.ConsumeDelay),
        v.GetDouble(S.Jitter),
        v.GetString(S.QueueKind) switch
        {
            S.Lifo => QueueKind.Lifo,
            S.Priority => QueueKind.Priority,
            _ => QueueKind.Fifo,
        },
        v.GetString(S.Shutdown) switch
        {
            S.Joinable => ShutdownStyle.Joinable,
            S.Poll => ShutdownStyle.Poll,
            _ => ShutdownStyle.Sentinel,
        },
        (int)v.GetInt64(CommonParameters.Seed),
        v.GetDouble(CommonParameters.TimeScale));
}
