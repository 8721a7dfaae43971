namespace Playground.Client.Services;

/// <summary>
/// Follows one live thing for a component — a run, a batch — through its stream of states: reads
/// the stream off the component's dispatcher and hands each state (or the error that ended the
/// stream) back on it, then re-renders. Following something new, or disposing, first stops the
/// previous watch and waits for it, so a stale state never lands after a new one.
/// </summary>
/// <param name="dispatch">The component's <c>InvokeAsync</c>.</param>
/// <param name="changed">The component's <c>StateHasChanged</c>.</param>
public sealed class LiveWatch<T>(Func<Action, Task> dispatch, Action changed) : IAsyncDisposable
{
    private CancellationTokenSource? _cts;
    private Task? _task;

    /// <summary>Starts following <paramref name="stream"/>; call <see cref="StopAsync"/> first when another watch may run.</summary>
    public void Start(Func<CancellationToken, IAsyncEnumerable<T>> stream, Action<T> onState, Action<Exception> onError)
    {
        ArgumentNullException.ThrowIfNull(stream);
        _cts = new CancellationTokenSource();
        _task = RunAsync(stream, onState, onError, _cts.Token);
    }

    private async Task RunAsync(Func<CancellationToken, IAsyncEnumerable<T>> stream, Action<T> onState, Action<Exception> onError, CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var state in stream(cancellationToken).WithCancellation(cancellationToken))
            {
                await dispatch(() =>
                {
                    onState(state);
                    changed();
                });
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The component moved on (something new to follow, or it closed).
        }
        catch (Exception ex)
        {
            await dispatch(() =>
            {
                onError(ex);
                changed();
            });
        }
    }

    /// <summary>Stops the current watch, if any, and waits for it to end.</summary>
    public async Task StopAsync()
    {
        var cts = _cts;
        var task = _task;
        _cts = null;
        _task = null;
        if (cts is null)
        {
            return;
        }

        await cts.CancelAsync();
        if (task is not null)
        {
            try
            {
                await task;
            }
            catch (OperationCanceledException)
            {
                // Expected on cancel.
            }
        }

        cts.Dispose();
    }

    public async ValueTask DisposeAsync() => await StopAsync();
}
