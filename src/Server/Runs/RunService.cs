using System.Runtime.CompilerServices;
using Playground.Shared.Catalog;
using Playground.Shared.Runs;

namespace Playground.Server.Runs;

/// <summary>The run service that components use in the circuit: a thin face of <see cref="RunManager"/>.</summary>
public sealed class RunService : IRunService
{
    private readonly RunManager _runs;

    public RunService(RunManager runs, ScenarioGallery gallery)
    {
        _runs = runs;
        Scenarios = gallery.Scenarios;
    }

    public IReadOnlyList<ScenarioDescriptor> Scenarios { get; }

    public StartResult Start(RunStartRequest request, string clientId) => _runs.Start(request, clientId);

    public SetupCheck? Check(RunStartRequest request) => _runs.Check(request);

    public bool Cancel(string runId) => _runs.Cancel(runId);

    public RunInfo? Get(string runId) => _runs.Find(runId)?.ToInfo();

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
