using Playground.Scenarios.Engine;
using Playground.Scenarios.Primitives;
using Playground.Scenarios.Processes;
using Playground.Scenarios.Recording;
using Playground.Shared.Catalog;
using Playground.Shared.Parameters;

namespace Playground.Scenarios.Semaphore;

/// <summary>停车位: cars share a lot whose spaces are the permits of a semaphore.</summary>
public sealed class SemaphoreScenario : IScenario
{
    public ScenarioDescriptor Descriptor => SemaphoreSchema.Descriptor;

    public RunPlan Plan(ParameterValues values)
    {
        var s = SemaphoreSettings.From(values);
        return new RunPlan(s.Workers, s.Workers, s.EstimatedSeconds, s.LongestStepSeconds);
    }

    public IScenarioExecution Create(ParameterValues values, RunEnvironment? environment = null) =>
        new SemaphoreRun(values, environment);
}

/// <summary>
/// One run of the parking lot, said once for every mode: car-1 … car-N, a semaphore with the
/// lot's permits (a <see cref="MonitorSemaphore"/>, an <see cref="AsyncSemaphore"/> or a
/// <see cref="SharedSemaphore"/> the children open), and the report built from the events.
/// </summary>
public sealed class SemaphoreRun : ActorScript<ParkingLot>
{
    public const string Role = "car";

    private readonly ParkingTally _tally;

    public SemaphoreRun(ParameterValues values, RunEnvironment? environment = null)
        : base(SemaphoreSchema.Descriptor, values, environment)
    {
        Settings = SemaphoreSettings.From(values);
        Actors = [.. Enumerable.Range(1, Settings.Workers).Select(i => new ActorSpec($"car-{i}", Role))];
        _tally = new ParkingTally(Settings.Workers);
    }

    public SemaphoreSettings Settings { get; }

    public override IReadOnlyList<ActorSpec> Actors { get; }

    protected internal override ParkingLot CreateLocal(bool async) => async
        ? ParkingLot.Async(new AsyncSemaphore(SemaphoreSchema.Resource, Settings.Permits, Settings.Kind))
        : ParkingLot.Threads(new MonitorSemaphore(SemaphoreSchema.Resource, Settings.Permits, Settings.Kind));

    protected internal override ParkingLot CreateShared(string key)
    {
        var spaces = SharedSemaphore.Create(new SharedSemaphoreNames(key), SemaphoreSchema.Resource, Settings.Permits, Settings.Kind, Settings.Workers);
        try
        {
            return ParkingLot.Shared(spaces, SharedParkingBoard.Create(key));
        }
        catch
        {
            spaces.Dispose();
            throw;
        }
    }

    protected internal override ParkingLot OpenShared(string key)
    {
        var spaces = SharedSemaphore.Open(new SharedSemaphoreNames(key), SemaphoreSchema.Resource);
        try
        {
            return ParkingLot.Shared(spaces, SharedParkingBoard.Open(key));
        }
        catch
        {
            spaces.Dispose();
            throw;
        }
    }

    protected internal override void UnlinkShared(string key)
    {
        new SharedSemaphoreNames(key).Unlink();
        SharedParkingBoard.Unlink(key);
    }

    protected internal override void Act(int actor, ParkingLot world, IActorRecorder log, CancellationToken cancellationToken) =>
        ParkingCars.Drive(log, world.Spaces!, world.Board, Settings, actor, cancellationToken);

    protected internal override Task ActAsync(int actor, ParkingLot world, IActorRecorder log, CancellationToken cancellationToken) =>
        ParkingCars.DriveAsync(log, world.AsyncSpaces!, world.Board, Settings, actor, cancellationToken);

    protected internal override void Observe(in RawEvent e) => _tally.Observe(e);

    protected internal override ScenarioOutcome Report(ParkingLot world, HostResult result) =>
        SemaphoreReport.Build(Settings, _tally.Snapshot(result.StartTimestamp), world.Value, world.Board.PeakParked, result, Actors);
}
