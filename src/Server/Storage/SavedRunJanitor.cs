using Microsoft.Extensions.Options;
using Playground.Server.Runs;

namespace Playground.Server.Storage;

/// <summary>Applies the saved runs' retention (age and count) at start-up and every <see cref="StorageOptions.SweepMinutes"/>; saves apply it too.</summary>
public sealed class SavedRunJanitor(SavedRuns saved, IOptions<StorageOptions> options, TimeProvider time)
    : PeriodicRunTask(TimeSpan.FromMinutes(options.Value.SweepMinutes), time)
{
    public override Task StartAsync(CancellationToken cancellationToken)
    {
        // A server that was down for a while does not serve runs past their age until its first tick.
        saved.Sweep();
        return base.StartAsync(cancellationToken);
    }

    protected override void Tick() => saved.Sweep();
}
