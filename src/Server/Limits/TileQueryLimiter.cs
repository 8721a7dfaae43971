using Microsoft.Extensions.Options;

namespace Playground.Server.Limits;

/// <summary>
/// How many tiles queries the server works on at once, whatever their runs: a flood of them waits
/// its turn (awaiting, holding no thread) instead of taking every core. A caller that goes away
/// leaves the queue.
/// </summary>
public sealed class TileQueryLimiter(IOptions<LimitOptions> options) : IDisposable
{
    private readonly SemaphoreSlim _turns = new(Math.Max(1, options.Value.MaxConcurrentTileQueries));

    public async Task<T> RunAsync<T>(Func<T> query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        await _turns.WaitAsync(cancellationToken);
        try
        {
            return query();
        }
        finally
        {
            _turns.Release();
        }
    }

    public void Dispose() => _turns.Dispose();
}
