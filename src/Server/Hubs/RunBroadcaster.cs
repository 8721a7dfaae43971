using System.Diagnostics;
using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;
using Microsoft.Extensions.Options;
using Playground.Server.Runs;
using Playground.Shared.Runs;

namespace Playground.Server.Hubs;

/// <summary>
/// The live edge of each watched run, sent once for all its viewers: one broadcast per run reads
/// each frame from the log (coalesced over the frame's budget), serializes it once per protocol
/// (<see cref="SerializedHubMessage"/>, as SignalR's group sends do) and writes the same bytes to
/// every viewer that is up to date. A viewer who joins catches up on its own from the log through
/// its stream, to the broadcast's latest frame, and only then takes the live frames, so it sees
/// every frame once, in order.
/// </summary>
/// <remarks>
/// A viewer whose last frame is still being written when the next is ready is skipped, never
/// queued: it falls back to its own catch-up from the log once the write is done (coalesced over
/// the budget), then rejoins. So a viewer costs at most one frame in flight. One whose writes make
/// no progress for <see cref="RunOptions.ViewerStallSeconds"/> is disconnected; the page reconnects
/// and catches up. The broadcast stops when its run has ended and its last viewer has left, or as
/// soon as no viewer remains.
/// </remarks>
public sealed class RunBroadcaster : IAsyncDisposable
{
    /// <summary>The client method of live frames (<see cref="IRunClient.Events"/>).</summary>
    public const string LiveMethod = nameof(IRunClient.Events);

    private readonly Lock _gate = new();
    private readonly Dictionary<string, RunBroadcast> _live = new(StringComparer.Ordinal);
    private readonly HashSet<RunBroadcast> _running = [];
    private readonly RunEventStream _stream;
    private readonly RunOptions _options;
    private readonly ILogger<RunBroadcaster> _logger;
    private bool _disposed;
    private long _dropped;

    public RunBroadcaster(RunEventStream stream, IOptions<RunOptions> options, ILogger<RunBroadcaster> logger)
    {
        _stream = stream;
        _options = options.Value;
        _logger = logger;
    }

    /// <summary>Broadcasts under way (of live runs, or of ended runs whose viewers are still being served).</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _running.Count;
            }
        }
    }

    /// <summary>Viewers disconnected because their writes made no progress, since the server started.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Viewers of the run's broadcast now (0 when it has none).</summary>
    public int ViewersOf(string runId)
    {
        lock (_gate)
        {
            return _live.TryGetValue(runId, out var b) ? b.ViewerCount : 0;
        }
    }

    /// <summary>
    /// One viewer's stream of a run over <paramref name="connection"/>: its catch-up from the log,
    /// then (while the run is live) nothing more on the stream itself, since the live frames go
    /// to the connection as <see cref="LiveMethod"/>; the stream ends once the viewer has been sent
    /// the run's final batch, by either way.
    /// </summary>
    public async IAsyncEnumerable<EventBatch> WatchAsync(Run run, HubConnectionContext connection, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(connection);
        var viewer = Join(run, connection);
        if (viewer is null)
        {
            // The run has ended: the log is whole and nothing is live.
            await foreach (var batch in _stream.StreamAsync(run, cancellationToken))
            {
                yield return batch;
            }

            yield break;
        }

        try
        {
            var broadcast = viewer.Broadcast;
            while (true)
            {
                // A live frame still being written goes first: what this viewer reads next follows it.
                await viewer.WriteDoneAsync(cancellationToken);
                var (step, from, to) = broadcast.Next(viewer);
                if (step == ViewerStep.Done)
                {
                    yield break;
                }

                if (step == ViewerStep.Live)
                {
                    await viewer.FallenBehindAsync(cancellationToken);
                    continue;
                }

                foreach (var batch in broadcast.CatchUp(from, to!))
                {
                    viewer.Busy(true);
                    yield return batch;
                    viewer.Busy(false);
                }

                viewer.CaughtUpTo(to!);
                if (to!.Final)
                {
                    yield break;
                }
            }
        }
        finally
        {
            Leave(viewer);
        }
    }

    private RunViewer? Join(Run run, HubConnectionContext connection)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_live.TryGetValue(run.Id, out var broadcast))
            {
                var viewer = broadcast.TryAdd(connection);
                if (viewer is not null || run.IsFinal)
                {
                    return viewer;
                }
            }

            if (run.IsFinal)
            {
                return null;
            }

            broadcast = new RunBroadcast(run, _stream, _options, this);
            _live[run.Id] = broadcast;
            _running.Add(broadcast);
            var first = broadcast.TryAdd(connection)!;
            broadcast.Start();
            return first;
        }
    }

    private void Leave(RunViewer viewer)
    {
        lock (_gate)
        {
            var broadcast = viewer.Broadcast;
            if (broadcast.Remove(viewer) == 0)
            {
                // No one is watching: stop now; the next viewer starts a broadcast of its own.
                broadcast.Stop();
                if (_live.TryGetValue(broadcast.RunId, out var current) && current == broadcast)
                {
                    _live.Remove(broadcast.RunId);
                }
            }
        }
    }

    internal void Ended(RunBroadcast broadcast)
    {
        lock (_gate)
        {
            _running.Remove(broadcast);
            if (_live.TryGetValue(broadcast.RunId, out var current) && current == broadcast)
            {
                _live.Remove(broadcast.RunId);
            }
        }
    }

    internal void Drop(RunViewer viewer, double stalledSeconds)
    {
        Interlocked.Increment(ref _dropped);
        _logger.LogWarning("Viewer {ConnectionId} of run {RunId} took nothing for {Seconds:0.0} s and was disconnected",
            viewer.Connection.ConnectionId, viewer.Broadcast.RunId, stalledSeconds);
        viewer.Connection.Abort();
    }

    internal void Failed(RunBroadcast broadcast, Exception ex) =>
        _logger.LogError(ex, "The live stream of run {RunId} failed", broadcast.RunId);

    public async ValueTask DisposeAsync()
    {
        RunBroadcast[] running;
        lock (_gate)
        {
            _disposed = true;
            running = [.. _running];
        }

        foreach (var b in running)
        {
            b.Stop();
        }

        await Task.WhenAll(running.Select(b => b.Completion));
    }
}

internal enum ViewerStep
{
    /// <summary>The viewer is at the live edge: the broadcast writes its frames.</summary>
    Live,

    /// <summary>The viewer reads from the log up to a frame on its own.</summary>
    CatchUp,

    /// <summary>The viewer has been sent the run's final batch.</summary>
    Done,
}

/// <summary>One run's broadcast: the frame loop, and the viewers it writes to.</summary>
internal sealed class RunBroadcast
{
    private readonly Lock _gate = new();
    private readonly Lock _joinGate = new();
    private readonly Run _run;
    private readonly RunEventStream _stream;
    private readonly RunFrameReader _frames;
    private readonly RunOptions _options;
    private readonly RunBroadcaster _owner;
    private readonly CancellationTokenSource _stop = new();
    private RunViewer[] _viewers = [];
    private StreamFrame _latest;
    private bool _ended;
    private (long Seq, EventBatch[] Batches)? _joinCatchUp;

    public RunBroadcast(Run run, RunEventStream stream, RunOptions options, RunBroadcaster owner)
    {
        _run = run;
        _stream = stream;
        _frames = stream.Frames(run, fromNow: true);
        _options = options;
        _owner = owner;
        _latest = _frames.Latest;
    }

    /// <summary>
    /// The batches that bring a viewer from the frame it was last sent to <paramref name="to"/>.
    /// Viewers who join between the same two frames share one catch-up (read and built once;
    /// only its writing is theirs): a crowd that opens a run at once costs one read of the log.
    /// </summary>
    public IReadOnlyList<EventBatch> CatchUp(StreamFrame? from, StreamFrame to)
    {
        if (from is not null || to.Final)
        {
            return [.. _stream.CatchUp(_run, from, to)];
        }

        lock (_joinGate)
        {
            if (_joinCatchUp is { } shared && shared.Seq == to.Seq)
            {
                return shared.Batches;
            }

            EventBatch[] batches = [.. _stream.CatchUp(_run, null, to)];
            _joinCatchUp = (to.Seq, batches);
            return batches;
        }
    }

    public string RunId => _run.Id;

    public Task Completion { get; private set; } = Task.CompletedTask;

    public int ViewerCount
    {
        get
        {
            lock (_gate)
            {
                return _viewers.Length;
            }
        }
    }

    public void Start() => Completion = Task.Run(() => RunAsync(_stop.Token));

    public void Stop()
    {
        try
        {
            _stop.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // Already over.
        }
    }

    /// <summary>A new viewer, not yet live; null once the final frame has gone out.</summary>
    public RunViewer? TryAdd(HubConnectionContext connection)
    {
        lock (_gate)
        {
            if (_ended || _stop.IsCancellationRequested)
            {
                return null;
            }

            var viewer = new RunViewer(this, connection);
            _viewers = [.. _viewers, viewer];
            return viewer;
        }
    }

    /// <summary>Removes a viewer; returns how many remain.</summary>
    public int Remove(RunViewer viewer)
    {
        lock (_gate)
        {
            _viewers = [.. _viewers.Where(v => v != viewer)];
            return _viewers.Length;
        }
    }

    /// <summary>
    /// What the viewer does next: nothing while live; catch up from the last frame it was sent to
    /// the latest; or stop, having been sent the final one. Going live happens here, under the same
    /// lock the frame loop takes to publish a frame, so no frame falls between the two.
    /// </summary>
    public (ViewerStep Step, StreamFrame? From, StreamFrame? To) Next(RunViewer viewer)
    {
        lock (_gate)
        {
            var sent = viewer.Sent;
            if (sent is not null && sent.Seq >= _latest.Seq)
            {
                if (sent.Final)
                {
                    return (ViewerStep.Done, sent, null);
                }

                viewer.GoLive();
                return (ViewerStep.Live, sent, null);
            }

            return (ViewerStep.CatchUp, sent, _latest);
        }
    }

    private async Task RunAsync(CancellationToken stop)
    {
        try
        {
            var more = false;
            while (!_ended)
            {
                var changed = _run.Changed;
                // Frames come less often when the audience is large (Runs:ViewerWritesPerSecond),
                // and carry as many more events before state changes are coalesced.
                var interval = _options.FrameInterval(ViewerCount);
                if (!more)
                {
                    // A state change or the next frame, whichever comes first.
                    await Task.WhenAny(changed, Task.Delay(interval, stop));
                    stop.ThrowIfCancellationRequested();
                }

                var batch = _frames.Next(out more, _options.FrameBudget(interval));
                if (batch is not null)
                {
                    Publish(batch, _frames.Latest);
                }

                CheckStalls();
            }

            // The run has ended: keep watching the viewers still being served until the last leaves.
            while (true)
            {
                await Task.Delay(TimeSpan.FromSeconds(Math.Min(1, _options.ViewerStallSeconds / 2)), stop);
                CheckStalls();
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            _owner.Failed(this, ex);
            foreach (var v in Viewers())
            {
                v.Connection.Abort();
            }
        }
        finally
        {
            _owner.Ended(this);
            _stop.Dispose();
        }
    }

    private RunViewer[] Viewers()
    {
        lock (_gate)
        {
            return _viewers;
        }
    }

    private void Publish(EventBatch batch, StreamFrame frame)
    {
        RunViewer[] viewers;
        lock (_gate)
        {
            _latest = frame;
            _ended = frame.Final;
            viewers = _viewers;
        }

        // Serialized at most once per protocol, on the first write in that protocol.
        SerializedHubMessage? message = null;
        foreach (var viewer in viewers)
        {
            viewer.Offer(frame, batch, ref message);
        }
    }

    private void CheckStalls()
    {
        var now = Stopwatch.GetTimestamp();
        foreach (var viewer in Viewers())
        {
            var stalled = viewer.StalledSeconds(now);
            if (stalled > _options.ViewerStallSeconds && viewer.MarkDropped())
            {
                _owner.Drop(viewer, stalled);
            }
        }
    }
}

/// <summary>One stream of a run on one connection, as its broadcast sees it.</summary>
internal sealed class RunViewer(RunBroadcast broadcast, HubConnectionContext connection)
{
    private readonly Lock _gate = new();
    private TaskCompletionSource _behind = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private bool _live;
    private Task? _write;
    private long _writeSince;
    private long _busySince;
    private bool _dropped;

    public RunBroadcast Broadcast { get; } = broadcast;

    public HubConnectionContext Connection { get; } = connection;

    /// <summary>The last frame this viewer has been sent (live or by catching up); null before any.</summary>
    public StreamFrame? Sent
    {
        get
        {
            lock (_gate)
            {
                return _sent;
            }
        }
    }

    private StreamFrame? _sent;

    /// <summary>Called by the broadcast under its lock once the viewer is at its latest frame.</summary>
    public void GoLive()
    {
        lock (_gate)
        {
            _live = true;
        }
    }

    public void CaughtUpTo(StreamFrame frame)
    {
        lock (_gate)
        {
            _sent = frame;
        }
    }

    /// <summary>Marks a catch-up batch handed to the hub to write (true) or written (false).</summary>
    public void Busy(bool busy)
    {
        lock (_gate)
        {
            _busySince = busy ? Stopwatch.GetTimestamp() : 0;
        }
    }

    /// <summary>
    /// Writes a live frame to the viewer if it is live and took the last one; else it is skipped
    /// and the viewer is told to catch up from the log on its own.
    /// </summary>
    public void Offer(StreamFrame frame, EventBatch batch, ref SerializedHubMessage? message)
    {
        lock (_gate)
        {
            if (!_live || (_sent is not null && _sent.Seq >= frame.Seq))
            {
                return;
            }

            if (_write is { IsCompleted: false })
            {
                // Still writing the last frame: no queue of frames behind it.
                _live = false;
                _behind.TrySetResult();
                return;
            }

            message ??= new SerializedHubMessage(new InvocationMessage(RunBroadcaster.LiveMethod, [batch]));
            var write = Connection.WriteAsync(message);
            if (write.IsCompletedSuccessfully)
            {
                write.GetAwaiter().GetResult();
                _write = null;
            }
            else
            {
                _write = write.AsTask();
                _writeSince = Stopwatch.GetTimestamp();
            }

            _sent = frame;
            if (frame.Final)
            {
                _behind.TrySetResult();
            }
        }
    }

    /// <summary>Waits until the last live frame written to this viewer is out of the server's hands.</summary>
    public async Task WriteDoneAsync(CancellationToken cancellationToken)
    {
        Task? write;
        lock (_gate)
        {
            write = _write;
        }

        if (write is not null)
        {
            await write.WaitAsync(cancellationToken);
        }
    }

    /// <summary>Waits while the viewer is live: until it fell behind or was sent the final frame.</summary>
    public async Task FallenBehindAsync(CancellationToken cancellationToken)
    {
        Task wait;
        lock (_gate)
        {
            if (_behind.Task.IsCompleted)
            {
                _behind = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }

            if (!_live || _sent is { Final: true })
            {
                return;
            }

            wait = _behind.Task;
        }

        await wait.WaitAsync(cancellationToken);
    }

    /// <summary>How long a write to this viewer (live or catch-up) has been under way; 0 when none is.</summary>
    public double StalledSeconds(long now)
    {
        lock (_gate)
        {
            var since = _write is { IsCompleted: false } ? _writeSince : 0;
            if (_busySince != 0 && (since == 0 || _busySince < since))
            {
                since = _busySince;
            }

            return since == 0 ? 0 : Stopwatch.GetElapsedTime(since, now).TotalSeconds;
        }
    }

    /// <summary>True the first time only.</summary>
    public bool MarkDropped()
    {
        lock (_gate)
        {
            var first = !_dropped;
            _dropped = true;
            return first;
        }
    }
}
