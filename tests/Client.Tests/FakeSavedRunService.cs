using Playground.Shared.Runs;
using Playground.Shared.Text;

namespace Playground.Client.Tests;

/// <summary>Saved runs kept in a list: saves what it is told is saveable, lists and deletes.</summary>
internal sealed class FakeSavedRunService : ISavedRunService
{
    public List<SavedRunInfo> Items { get; } = [];

    public List<string> SaveRequests { get; } = [];

    public Msg? Refusal { get; set; }

    public Task<SaveAnswer> SaveAsync(string runId, CancellationToken cancellationToken)
    {
        SaveRequests.Add(runId);
        if (Refusal is not null)
        {
            return Task.FromResult(new SaveAnswer(null, Refusal));
        }

        var info = new SavedRunInfo(runId, "producer-consumer", SavedRunInfo.PermalinkOf(runId), new Dictionary<string, object>(), RunState.Completed,
            true, 100, 10, 100, DateTimeOffset.UnixEpoch, null, null, DateTimeOffset.UnixEpoch);
        Items.Add(info);
        return Task.FromResult(new SaveAnswer(info, null));
    }

    public SavedRunPage List(string? scenario, int page, int size)
    {
        var matching = Items.Where(i => scenario is null || i.Scenario == scenario).ToList();
        return new SavedRunPage([.. matching.Skip((page - 1) * size).Take(size)], page, size, matching.Count);
    }

    public bool Delete(string runId) => Items.RemoveAll(i => i.Id == runId) > 0;
}
