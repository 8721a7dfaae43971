using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;
using Playground.Server.Identity;
using Playground.Server.Limits;
using Playground.Server.Runs;
using Playground.Shared.Parameters;
using Playground.Shared.Runs;
using Playground.Shared.Text;

namespace Playground.Server.Hubs;

/// <summary>
/// /hubs/runs: start and cancel runs, and stream a run's events from its first one, then live.
/// The caller is the identity of its cookie (sent when the connection opened): starts are limited
/// per identity and per address, whatever the connection; only a run's owner may cancel it; anyone
/// with a run's id may watch it, through a few streams per connection at most.
/// </summary>
public sealed class RunHub : Hub<IRunClient>
{
    private static readonly object StreamCountKey = new();

    private readonly RunManager _runs;
    private readonly RunBroadcaster _broadcasts;
    private readonly RunHubConnections _connections;
    private readonly StartLimiter _starts;
    private readonly LimitOptions _limits;

    public RunHub(RunManager runs, RunBroadcaster broadcasts, RunHubConnections connections, StartLimiter starts, IOptions<LimitOptions> limits)
    {
        _runs = runs;
        _broadcasts = broadcasts;
        _connections = connections;
        _starts = starts;
        _limits = limits.Value;
    }

    private RunOwner Owner => ClientIdentity.OwnerOf(Context.User) ?? new RunOwner("connection-" + Context.ConnectionId, "unknown");

    public override Task OnConnectedAsync()
    {
        Context.Items[StreamCountKey] = new StreamCount();
        return base.OnConnectedAsync();
    }

    public async Task<StartResult> Start(RunStartRequest request)
    {
        if (request is null)
        {
            throw new HubException(Msg.Of("hub.needRequest").Format());
        }

        var owner = Owner;
        if (!_starts.TryTake(owner))
        {
            throw new HubException(_starts.Refusal.Format());
        }

        var result = _runs.Start(request, owner);
        if (result.Run is { } run)
        {
            await Groups.AddToGroupAsync(Context.ConnectionId, RunNotifier.Group(run.Id), Context.ConnectionAborted);
        }

        return result;
    }

    /// <summary>Cancels a run the caller owns; false when it is unknown or already ended, a hub error when it is someone else's.</summary>
    public bool Cancel(string runId)
    {
        if (runId is not { Length: > 0 and <= 64 })
        {
            return false;
        }

        return _runs.Cancel(runId, Owner) switch
        {
            CancelOutcome.Cancelled => true,
            CancelOutcome.NotOwner => throw new HubException(Msg.Of("run.notOwner", ("id", runId)).Format()),
            _ => false,
        };
    }

    public RunInfo Get(string runId) => FindRun(runId).ToInfo();

    /// <summary>
    /// The run's events in batches, from the first event, until the run ends: the stream brings
    /// the catch-up from the run's log; while the run is live, its frames then come to this
    /// connection as <see cref="IRunClient.Events"/> (the same bytes for every viewer), and the
    /// stream ends once the final batch has been sent, by either way. Each batch is numbered
    /// (<see cref="EventBatch.Seq"/>) so the two join without gap or duplicate.
    /// </summary>
    public async IAsyncEnumerable<EventBatch> StreamEvents(string runId, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var streams = Context.Items.TryGetValue(StreamCountKey, out var value) && value is StreamCount count ? count : new StreamCount();
        if (Interlocked.Increment(ref streams.Open) > _limits.MaxStreamsPerConnection)
        {
            Interlocked.Decrement(ref streams.Open);
            throw new HubException(Msg.Of("hub.tooManyStreams", ("max", _limits.MaxStreamsPerConnection)).Format());
        }

        try
        {
            var run = FindRun(runId);
            await Groups.AddToGroupAsync(Context.ConnectionId, RunNotifier.Group(run.Id), cancellationToken);
            if (_connections.Find(Context.ConnectionId) is not { } connection)
            {
                // The connection is closing: nothing can reach it any more.
                yield break;
            }

            await foreach (var batch in _broadcasts.WatchAsync(run, connection, cancellationToken))
            {
                yield return batch;
            }
        }
        finally
        {
            Interlocked.Decrement(ref streams.Open);
        }
    }

    private Run FindRun(string runId) =>
        (runId is { Length: > 0 and <= 64 } ? _runs.Find(runId) : null)
        ?? throw new HubException(Msg.Of("hub.noRun", ("id", ParameterValidator.Clip(runId ?? ""))).Format());

    /// <summary>Streams open on one connection.</summary>
    private sealed class StreamCount
    {
        public int Open;
    }
}
