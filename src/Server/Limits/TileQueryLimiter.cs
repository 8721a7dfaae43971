using Microsoft.Extensions.Options;

namespace Playground.Server.Limits;

/// <summary>
/// How many pieces of one kind of heavy work the server does at once, whatever their runs: a flood
/// of them waits its turn (awaiting, holding no thread) instead of taking every core. A caller that
/// goes away leaves the queue.
/// </summary>
public abstract class TurnLimiter(int turns) : IDisposable
{
    private readonly SemaphoreSlim _turns = new(Math.Max(1, turns));

    public async Task<T> RunAsync<T>(Func<T> work, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(work);
        await _turns.WaitAsync(cancellationToken);
        try
        {
            return work();
        }
        finally
        {
            _turns.Release();
        }
    }

    public async Task RunAsync(Func<Task> work, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(work);
        await _turns.WaitAsync(cancellationToken);
        try
        {
            await work();
        }
        finally
        {
            _turns.Release();
        }
    }

    public void Dispose()
    {
        _turns.Dispose();
        GC.SuppressFinalize(this);
    }
}

/// <summary>Tiles queries answered at once (<see cref="LimitOptions.MaxConcurrentTileQueries"/>).</summary>
public sealed class TileQueryLimiter(IOptions<LimitOptions> options) : TurnLimiter(options.Value.MaxConcurrentTileQueries);

/// <summary>Trace and CSV exports written at once (<see cref="LimitOptions.MaxConcurrentExports"/>): each reads a whole log.</summary>
public sealed class ExportLimiter(IOptions<LimitOptions> options) : TurnLimiter(options.Value.MaxConcurrentExports);
