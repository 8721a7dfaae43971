using Microsoft.AspNetCore.SignalR.Client;
using Playground.Shared.Runs;

namespace Playground.Server.Tests.Infrastructure;

/// <summary>Reading a run's event stream through the real SignalR client.</summary>
public static class RunStreams
{
    /// <summary>Every batch of the run's stream until it ends, bounded by <see cref="PlaygroundHost.Patience"/>.</summary>
    public static async Task<List<EventBatch>> ReadToEndAsync(this HubConnection hub, string runId)
    {
        using var cts = new CancellationTokenSource(PlaygroundHost.Patience);
        var batches = new List<EventBatch>();
        await foreach (var batch in hub.StreamAsync<EventBatch>("StreamEvents", runId, cts.Token))
        {
            batches.Add(batch);
        }

        return batches;
    }

    /// <summary>Reads the stream until a batch satisfies <paramref name="match"/>; returns that batch and keeps the enumerator for more.</summary>
    public static async Task<EventBatch> ReadUntilAsync(this IAsyncEnumerator<EventBatch> stream, Func<EventBatch, bool> match)
    {
        while (await stream.MoveNextAsync().AsTask().WaitAsync(PlaygroundHost.Patience))
        {
            if (match(stream.Current))
            {
                return stream.Current;
            }
        }

        Assert.Fail("the stream ended before the expected batch arrived");
        return null!;
    }

    /// <summary>Opens the run's stream; the caller disposes the enumerator.</summary>
    public static IAsyncEnumerator<EventBatch> OpenStream(this HubConnection hub, string runId, CancellationToken cancellationToken) =>
        hub.StreamAsync<EventBatch>("StreamEvents", runId, cancellationToken).GetAsyncEnumerator(cancellationToken);
}
