using System.Threading.Channels;
using Microsoft.AspNetCore.SignalR.Client;
using Playground.Shared.Runs;

namespace Playground.Server.Tests.Infrastructure;

/// <summary>Reading a run's event stream through the real SignalR client.</summary>
public static class RunStreams
{
    /// <summary>
    /// Every batch of the run until its final one, as the page takes them (the stream's catch-up
    /// and the live frames), bounded by <see cref="PlaygroundHost.Patience"/>.
    /// </summary>
    public static async Task<List<EventBatch>> ReadToEndAsync(this HubConnection hub, string runId)
    {
        using var cts = new CancellationTokenSource(PlaygroundHost.Patience);
        await using var watch = RunWatch.Open(hub, runId, cts.Token);
        while (await watch.NextAsync() is not null)
        {
        }

        return [.. watch.Received];
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

    /// <summary>Opens the run's stream as the page reads it (<see cref="RunWatch"/>); the caller disposes the enumerator.</summary>
    public static IAsyncEnumerator<EventBatch> OpenStream(this HubConnection hub, string runId, CancellationToken cancellationToken) =>
        new WatchEnumerator(RunWatch.Open(hub, runId, cancellationToken));

    private sealed class WatchEnumerator(RunWatch watch) : IAsyncEnumerator<EventBatch>
    {
        public EventBatch Current { get; private set; } = null!;

        public async ValueTask<bool> MoveNextAsync()
        {
            if (await watch.NextAsync() is not { } batch)
            {
                return false;
            }

            Current = batch;
            return true;
        }

        public ValueTask DisposeAsync() => watch.DisposeAsync();
    }
}

/// <summary>
/// A run watched through the hub as the page watches it: StreamEvents for the catch-up, the live
/// frames ("Events") after it; a live frame whose number is not past the last batch taken is
/// already covered and left out. Ends after the final batch.
/// </summary>
public sealed class RunWatch : IAsyncDisposable
{
    private readonly Channel<EventBatch> _batches = Channel.CreateUnbounded<EventBatch>();
    private readonly List<EventBatch> _received = [];
    private readonly IDisposable _live;
    private readonly CancellationTokenSource _cancel;
    private readonly Task _streaming;
    private long _lastSeq = -1;
    private bool _final;

    private RunWatch(HubConnection hub, string runId, CancellationToken cancellationToken)
    {
        _cancel = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        _live = hub.On<EventBatch>("Events", batch =>
        {
            if (batch.RunId == runId)
            {
                Take(batch, live: true);
            }
        });
        _streaming = StreamAsync(hub, runId, _cancel.Token);
    }

    public static RunWatch Open(HubConnection hub, string runId, CancellationToken cancellationToken) => new(hub, runId, cancellationToken);

    /// <summary>The batches taken so far, in the order they were taken.</summary>
    public IReadOnlyList<EventBatch> Received
    {
        get
        {
            lock (_received)
            {
                return [.. _received];
            }
        }
    }

    /// <summary>Batches taken from the live frames (the rest came by the stream).</summary>
    public int LiveCount { get; private set; }

    /// <summary>The next batch; null after the final one.</summary>
    public async Task<EventBatch?> NextAsync()
    {
        try
        {
            return await _batches.Reader.ReadAsync().AsTask().WaitAsync(PlaygroundHost.Patience);
        }
        catch (ChannelClosedException ex) when (ex.InnerException is null)
        {
            return null;
        }
        catch (ChannelClosedException ex)
        {
            // The stream failed: its own error, as the client raised it.
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(ex.InnerException!).Throw();
            throw;
        }
    }

    private async Task StreamAsync(HubConnection hub, string runId, CancellationToken cancellationToken)
    {
        try
        {
            // When the final frame went out live, its handler may run after the stream's end.
            await foreach (var batch in hub.StreamAsync<EventBatch>("StreamEvents", runId, cancellationToken))
            {
                Take(batch, live: false);
            }
        }
        catch (Exception ex)
        {
            _batches.Writer.TryComplete(ex);
        }
    }

    private void Take(EventBatch batch, bool live)
    {
        lock (_received)
        {
            if (_final || (live && batch.Seq <= _lastSeq))
            {
                return;
            }

            _lastSeq = Math.Max(_lastSeq, batch.Seq);
            _received.Add(batch);
            LiveCount += live ? 1 : 0;
            _batches.Writer.TryWrite(batch);
            if (batch.Final)
            {
                _final = true;
                _batches.Writer.TryComplete();
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        _live.Dispose();
        await _cancel.CancelAsync();
        try
        {
            await _streaming;
        }
        catch (OperationCanceledException)
        {
        }

        _cancel.Dispose();
    }
}
