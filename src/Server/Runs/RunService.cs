using System.Runtime.CompilerServices;
using Playground.Server.Identity;
using Playground.Server.Limits;
using Playground.Shared.Catalog;
using Playground.Shared.Runs;

namespace Playground.Server.Runs;

/// <summary>
/// The run service that components use in the circuit: a thin face of <see cref="RunManager"/>.
/// Scoped, one per circuit: starts and cancels act as the circuit's owner (its identity cookie
/// and address), so the page obeys the same ownership and caps as the API and the hub.
/// </summary>
public sealed class RunService : IRunService
{
    private readonly RunManager _runs;
    private readonly CircuitOwner _owner;
    private readonly StartLimiter _starts;

    public RunService(RunManager runs, ScenarioGallery gallery, CircuitOwner owner, StartLimiter starts)
    {
        _runs = runs;
        _owner = owner;
        _starts = starts;
        Scenarios = gallery.Scenarios;
    }

    public IReadOnlyList<ScenarioDescriptor> Scenarios { get; }

    /// <summary>Starts a run owned by the circuit's verified identity (its cookie).</summary>
    public StartResult Start(RunStartRequest request)
    {
        var owner = _owner.Owner;
        if (!_starts.TryTake(owner))
        {
            return new StartResult(null, StartRefusal.Busy, _starts.Refusal, [], _starts.Window);
        }

        return _runs.Start(request, owner);
    }

    public SetupCheck? Check(RunStartRequest request) => _runs.Check(request);

    public bool Cancel(string runId) => _runs.Cancel(runId, _owner.Owner) == CancelOutcome.Cancelled;

    public RunInfo? Get(string runId) => _runs.Find(runId)?.ToInfo();

    public bool IsOwn(string runId) => _runs.Find(runId) is { } run && run.Owner.Identity == _owner.Owner.Identity;

    public async IAsyncEnumerable<RunInfo> WatchAsync(string runId, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var run = _runs.Find(runId);
        if (run is null)
        {
            yield break;
        }

        while (true)
        {
            var changed = run.Changed;
            var info = run.ToInfo();
            yield return info;
            if (info.State.IsFinal())
            {
                yield break;
            }

            await changed.WaitAsync(cancellationToken);
        }
    }
}
