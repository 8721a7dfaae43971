using Playground.Scenarios.Pool;
using Playground.Scenarios.Recording;
using Playground.Shared.Events;
using S = Playground.Shared.Catalog.PoolSchema;

namespace Playground.Scenarios.Tests;

/// <summary>Checks of a pool run's events, shared by the threads and the processes tests (linked into both projects).</summary>
internal static class PoolAssertions
{
    /// <summary>
    /// Every task began on exactly one worker and sent exactly one result; the parent took exactly
    /// that word off the result queue, once; and the value is what the task's computing really
    /// gives (recomputed here, step for step) or i*i for a task that only slept.
    /// </summary>
    public static void EachTaskOnceWithItsResult(PoolSettings s, IReadOnlyList<RawEvent> events, long iterationsPerSecond)
    {
        var began = events.Where(e => e.Actor > 0 && e.Kind is EventKind.Work or EventKind.Sleep && e.Resource == S.TaskResource)
            .GroupBy(e => e.Value).ToDictionary(g => g.Key, g => g.Select(e => e.Actor).Distinct().ToList());
        var sent = events.Where(e => e.Actor > 0 && e.Kind == EventKind.Put && e.Resource == PoolWorld.ResultsResource).ToList();
        var received = events.Where(e => e.Actor == 0 && e.Kind == EventKind.Get && e.Resource == PoolWorld.ResultsResource).ToList();
        Assert.Equal(s.Tasks, began.Count);
        Assert.All(began, kv => Assert.Single(kv.Value));
        Assert.Equal(s.Tasks, sent.Count);
        Assert.Equal(Enumerable.Range(0, s.Tasks), sent.Select(e => PoolResult.Unpack(e.Value).Task).Order());
        Assert.Equal(sent.Select(e => e.Value).Order(), received.Select(e => e.Value).Order());
        foreach (var word in received.Select(e => PoolResult.Unpack(e.Value)).Where(r => !r.Failed))
        {
            var expected = s.CpuShare > 0
                ? CpuWork.Fold(CpuWork.Spin(CpuWork.StartOf(word.Task), s.IterationsOf(word.Task, iterationsPerSecond)))
                : PoolResult.SquareOf(word.Task);
            Assert.Equal(expected, word.Value);
        }
    }

    /// <summary>The parent answered the results (callbacks, map's slots, apply's returns) in the order the workers finished them.</summary>
    public static void CallbacksInCompletionOrder(IReadOnlyList<RawEvent> events, string submit)
    {
        var completed = events.Where(e => e.Actor > 0 && e.Kind == EventKind.Put && e.Resource == PoolWorld.ResultsResource)
            .Select(e => (long)PoolResult.Unpack(e.Value).Task).ToList();
        var answered = events.Where(e => e.Actor == 0 && e.Kind is EventKind.Mark or EventKind.Error
                                         && e.Resource is { } r && r.StartsWith(S.PendingResource + ":", StringComparison.Ordinal))
            .Select(e => e.Value).ToList();
        Assert.Equal(completed, answered);
        Assert.All(events.Where(e => e.Actor == 0 && e.Kind == EventKind.Mark), e => Assert.Equal(PoolParent.ResultResource(submit), e.Resource));
        // The pending gauge: up by one per submission, down by one per answer, back to zero.
        var levels = events.Where(e => e.Actor == 0 && e.Resource is { } p && p.StartsWith(S.PendingResource, StringComparison.Ordinal) && e.Level >= 0)
            .Select(e => e.Level).ToList();
        Assert.Equal(0, levels[^1]);
        Assert.All(levels.Zip(levels.Skip(1)), pair => Assert.Equal(1, Math.Abs(pair.Second - pair.First)));
    }

    /// <summary>apply(): a task began only after the previous one's result had been answered.</summary>
    public static void AtMostOneTaskInFlight(IReadOnlyList<RawEvent> events)
    {
        var inFlight = 0;
        foreach (var e in events.Where(e => e.Actor == 0 && e.Resource is { } r && r.StartsWith(S.PendingResource, StringComparison.Ordinal) && e.Level >= 0))
        {
            inFlight = (int)e.Level;
            Assert.InRange(inFlight, 0, 1);
        }
    }
}
