using Playground.Scenarios.Recording;
using Playground.Shared.Events;
using S = Playground.Shared.Catalog.TicketBookingSchema;

namespace Playground.Scenarios.TicketBooking;

/// <summary>What one buyer did, as its events told it. Timestamps are of the monotonic clock; -1 when it never happened.</summary>
public sealed record BuyerTrace(int Actor)
{
    public long Shown { get; set; } = -1;
    public long ReadAt { get; set; } = -1;
    public long ReadValue { get; set; } = -1;
    public long SuccessAt { get; set; } = -1;
    public long WroteAt { get; set; } = -1;
    public long WroteValue { get; set; } = -1;
    public long WaitedAt { get; set; } = -1;
    public long LockWaitTicks { get; set; }
    public string? Failure { get; set; }

    public bool Succeeded => SuccessAt >= 0;
}

/// <summary>Collects every buyer's reads, success and write from the events, in every mode; thread-safe.</summary>
public sealed class TicketTally(int buyers)
{
    private readonly object _gate = new();
    private readonly BuyerTrace[] _buyers = [.. Enumerable.Range(0, buyers).Select(a => new BuyerTrace(a))];

    public void Observe(in RawEvent e)
    {
        if ((uint)e.Actor >= (uint)_buyers.Length)
        {
            return;
        }

        lock (_gate)
        {
            var b = _buyers[e.Actor];
            switch (e.Kind)
            {
                case EventKind.Get when e.Resource == TicketBuyers.Query:
                    b.Shown = e.Value;
                    break;
                case EventKind.Get when e.Resource == TicketBuyers.Read:
                    b.ReadAt = e.Timestamp;
                    b.ReadValue = e.Value;
                    break;
                case EventKind.Mark when e.Resource == S.TicketResource:
                    b.SuccessAt = e.Timestamp;
                    break;
                case EventKind.Put when e.Resource == S.StoreResource:
                    b.WroteAt = e.Timestamp;
                    b.WroteValue = e.Value;
                    break;
                case EventKind.Wait when e.Resource == S.LockResource:
                    b.WaitedAt = e.Timestamp;
                    break;
                case EventKind.Acquire when e.Resource == S.LockResource && b.WaitedAt >= 0:
                    b.LockWaitTicks = e.Timestamp - b.WaitedAt;
                    break;
                case EventKind.Error when e.Resource is { } r && r.StartsWith(S.StoreResource + ":", StringComparison.Ordinal):
                    b.Failure ??= r[(S.StoreResource.Length + 1)..];
                    break;
            }
        }
    }

    /// <summary>A copy of every buyer's trace, by actor.</summary>
    public IReadOnlyList<BuyerTrace> Snapshot()
    {
        lock (_gate)
        {
            return [.. _buyers.Select(b => b with { })];
        }
    }
}
