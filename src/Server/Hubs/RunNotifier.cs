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

    public RunNotifier(RunManager runs, IHubContext<RunHub, IRunClient> hub)
    {
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
                await _hub.Clients.Group(Group(run.Id)).RunChanged(run.ToInfo());
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
