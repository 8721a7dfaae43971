using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.SignalR;
using Playground.Server.Runs;
using Playground.Shared.Parameters;
using Playground.Shared.Runs;
using Playground.Shared.Text;

namespace Playground.Server.Hubs;

/// <summary>
/// /hubs/runs: start and cancel runs, and stream a run's events from its first one, then live.
/// </summary>
public sealed class RunHub : Hub<IRunClient>
{
    /// <summary>Starts one connection may make within <see cref="StartWindow"/>.</summary>
    public const int StartsPerWindow = 10;
    public static readonly TimeSpan StartWindow = TimeSpan.FromSeconds(10);
    private static readonly ConcurrentDictionary<string, Queue<DateTimeOffset>> StartTimes = new();

    private readonly RunManager _runs;
    private readonly RunEventStream _stream;
    private readonly TimeProvider _time;

    public RunHub(RunManager runs, RunEventStream stream, TimeProvider time)
    {
        _runs = runs;
        _stream = stream;
        _time = time;
    }

    public async Task<StartResult> Start(RunStartRequest request)
    {
        if (request is null)
        {
            throw new HubException(Msg.Of("hub.needRequest").Format());
        }

        if (!TakeStartSlot())
        {
            throw new HubException(Msg.Of("hub.tooManyStarts", ("max", StartsPerWindow), ("seconds", StartWindow.TotalSeconds)).Format());
        }

        var result = _runs.Start(request, ClientId());
        if (result.Run is { } run)
        {
            await Groups.AddToGroupAsync(Context.ConnectionId, RunNotifier.Group(run.Id), Context.ConnectionAborted);
        }

        return result;
    }

    public bool Cancel(string runId) => runId is not null && _runs.Cancel(runId);

    public RunInfo Get(string runId) => FindRun(runId).ToInfo();

    /// <summary>The run's events in batches, from the first event, until the run ends.</summary>
    public async IAsyncEnumerable<EventBatch> StreamEvents(string runId, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var run = FindRun(runId);
        await Groups.AddToGroupAsync(Context.ConnectionId, RunNotifier.Group(run.Id), cancellationToken);
        await foreach (var batch in _stream.StreamAsync(run, cancellationToken))
        {
            yield return batch;
        }
    }

    public override Task OnDisconnectedAsync(Exception? exception)
    {
        StartTimes.TryRemove(Context.ConnectionId, out _);
        return base.OnDisconnectedAsync(exception);
    }

    private Run FindRun(string runId) =>
        (runId is { Length: > 0 and <= 64 } ? _runs.Find(runId) : null)
        ?? throw new HubException(Msg.Of("hub.noRun", ("id", ParameterValidator.Clip(runId ?? ""))).Format());

    private string ClientId()
    {
        var http = Context.GetHttpContext();
        return "hub:" + (http?.Connection.RemoteIpAddress?.ToString() ?? Context.ConnectionId);
    }

    private bool TakeStartSlot()
    {
        var now = _time.GetUtcNow();
        var times = StartTimes.GetOrAdd(Context.ConnectionId, _ => new Queue<DateTimeOffset>());
        lock (times)
        {
            while (times.Count > 0 && now - times.Peek() > StartWindow)
            {
                times.Dequeue();
            }

            if (times.Count >= StartsPerWindow)
            {
                return false;
            }

            times.Enqueue(now);
            return true;
        }
    }
}
