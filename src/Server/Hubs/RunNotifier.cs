using System.Threading.Channels;
using Microsoft.AspNetCore.SignalR;
using Playground.Server.Runs;
using Playground.Shared.Runs;

namespace Playground.Server.Hubs;

/// <summary>
/// Pushes run changes to the hub clients that started or watch a run (group "run:{id}"). Changes
/// are queued in a bounded channel so the run threads never wait on the network.
/// </summary>
public sealed class RunNotifier : BackgroundService
{
    private readonly Channel<Run> _changes = Channel.CreateBounded<Run>(new BoundedChannelOptions(1024)
    {
        FullMode = BoundedChannelFullMode.DropOldest,
        SingleReader = true,
    });

    private readonly RunManager _runs;
    private readonly IHubContext<RunHub, IRunClient> _hub;

    private readonly ILogger<RunNotifier> _logger;

    public RunNotifier(RunManager runs, IHubContext<RunHub, IRunClient> hub, ILogger<RunNotifier> logger)
    {
        _logger = logger;
        _runs = runs;
        _hub = hub;
        _runs.RunChanged += OnChanged;
    }

    public static string Group(string runId) => "run:" + runId;

    private void OnChanged(Run run) => _changes.Writer.TryWrite(run);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var run in _changes.Reader.ReadAllAsync(stoppingToken))
            {
                try
                {
                    await _hub.Clients.Group(Group(run.Id)).RunChanged(run.ToInfo());
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    // A failed push must not stop the notifier (nor the host); the event stream
                    // carries the same state to every viewer anyway.
                    _logger.LogWarning(ex, "Could not notify watchers of run {RunId}", run.Id);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    public override void Dispose()
    {
        _runs.RunChanged -= OnChanged;
        base.Dispose();
    }
}
