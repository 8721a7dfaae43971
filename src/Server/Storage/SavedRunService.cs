using Playground.Server.Identity;
using Playground.Server.Runs;
using Playground.Shared.Runs;
using Playground.Shared.Text;

namespace Playground.Server.Storage;

/// <summary>The pages' way to saved runs, as the circuit's own identity: the same rules as the API's.</summary>
public sealed class SavedRunService(RunManager runs, SavedRuns saved, CircuitOwner owner) : ISavedRunService
{
    public async Task<SaveAnswer> SaveAsync(string runId, CancellationToken cancellationToken)
    {
        if (runs.Find(runId) is not { } run)
        {
            return new SaveAnswer(null, Msg.Of("api.unknownRun", ("id", runId)));
        }

        var result = await saved.SaveAsync(run, owner.Owner, cancellationToken);
        return new SaveAnswer(result.Saved, result.Reason);
    }

    public SavedRunPage List(string? scenario, int page, int size) => saved.List(scenario, owner.Owner, page, size);

    public bool Delete(string runId)
    {
        if (saved.Delete(runId, owner.Owner) != DeleteOutcome.Deleted)
        {
            return false;
        }

        // A run still in memory is no longer saved: it goes when finished runs go.
        runs.FindLive(runId)?.MarkSaved(null);
        return true;
    }
}
