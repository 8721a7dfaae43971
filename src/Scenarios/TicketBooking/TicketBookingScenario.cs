using Playground.Scenarios.Engine;
using Playground.Scenarios.Processes;
using Playground.Scenarios.Recording;
using Playground.Shared.Catalog;
using Playground.Shared.Parameters;

namespace Playground.Scenarios.TicketBooking;

/// <summary>抢票: buyers race to read, decrement and write back a count of tickets in a real file.</summary>
public sealed class TicketBookingScenario : IScenario
{
    public ScenarioDescriptor Descriptor => TicketBookingSchema.Descriptor;

    public RunPlan Plan(ParameterValues values)
    {
        var s = TicketSettings.From(values);
        return new RunPlan(s.Buyers, s.Buyers, s.EstimatedSeconds, s.LongestStepSeconds);
    }

    public IScenarioExecution Create(ParameterValues values, RunEnvironment? environment = null) =>
        new TicketBookingScript(values, environment);
}

/// <summary>
/// One run of the ticket race, said once for every mode: buyer-1 … buyer-N, the store and the lock
/// of <see cref="TicketWorld"/>, and the report built from the events and the store's final count.
/// </summary>
public sealed class TicketBookingScript : ActorScript<TicketWorld>
{
    public const string Role = "buyer";

    private readonly TicketTally _tally;

    public TicketBookingScript(ParameterValues values, RunEnvironment? environment = null)
        : base(TicketBookingSchema.Descriptor, values, environment)
    {
        Settings = TicketSettings.From(values);
        Actors = [.. Enumerable.Range(1, Settings.Buyers).Select(i => new ActorSpec($"buyer-{i}", Role))];
        _tally = new TicketTally(Settings.Buyers);
    }

    public TicketSettings Settings { get; }

    public override IReadOnlyList<ActorSpec> Actors { get; }

    /// <summary>The folder threads mode made, for tests that check it is gone.</summary>
    public string? LocalFolder { get; private set; }

    protected internal override TicketWorld CreateLocal(bool async)
    {
        // Threads mode has no name to share; a key of its own keeps two runs of one server (or
        // two tests with the same run id) apart.
        var world = TicketWorld.Create(Environment.SharedKey + "-" + Guid.NewGuid().ToString("N")[..8], Settings);
        LocalFolder = world.Folder;
        return world;
    }

    protected internal override TicketWorld CreateShared(string key) => TicketWorld.Create(key, Settings);

    protected internal override TicketWorld OpenShared(string key) => TicketWorld.Open(key, Settings);

    protected internal override void UnlinkShared(string key) => TicketWorld.Remove(key);

    protected internal override void Act(int actor, TicketWorld world, IActorRecorder log, CancellationToken cancellationToken) =>
        TicketBuyers.Buy(log, world, Settings, cancellationToken);

    protected internal override void Observe(in RawEvent e) => _tally.Observe(e);

    protected internal override ScenarioOutcome Report(TicketWorld world, HostResult result) =>
        TicketReport.Build(Settings, [.. Actors.Select(a => a.Name)], _tally.Snapshot(), world, result);
}
