using Microsoft.Extensions.Options;
using Playground.Server.Limits;

namespace Playground.Server.Tests;

/// <summary>Heavy work of one kind (exports, tiles queries) takes turns: past the limit it waits, and a caller that leaves the queue is let go.</summary>
public sealed class TurnLimiterTests
{
    [Fact(Timeout = 30_000)]
    public async Task Past_the_limit_an_export_waits_for_a_turn_and_a_caller_that_gives_up_leaves_the_queue()
    {
        using var limiter = new ExportLimiter(Options.Create(new LimitOptions { MaxConcurrentExports = 1 }));
        var firstRunning = new TaskCompletionSource();
        var releaseFirst = new TaskCompletionSource();
        var first = limiter.RunAsync(async () =>
        {
            firstRunning.SetResult();
            await releaseFirst.Task;
        }, CancellationToken.None);
        await firstRunning.Task;

        var secondStarted = false;
        var second = limiter.RunAsync(() =>
        {
            secondStarted = true;
            return Task.CompletedTask;
        }, CancellationToken.None);
        using var leaving = new CancellationTokenSource();
        var third = limiter.RunAsync(() => Task.CompletedTask, leaving.Token);
        await leaving.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => third);
        Assert.False(secondStarted);
        releaseFirst.SetResult();
        await first;
        await second;
        Assert.True(secondStarted);
    }
}
