using System.Runtime.InteropServices;
using Playground.Scenarios.Recording;
using Playground.Shared.Events;

namespace Playground.Scenarios.Engine;

/// <summary>
/// Starts each actor on its own dedicated <see cref="Thread"/> and joins them. An actor that is
/// cancelled records <c>end</c>; one that throws records <c>crash</c> and its error is kept.
/// </summary>
public sealed partial class ActorThreads
{
    private readonly List<Thread> _threads = [];
    private readonly List<Exception> _errors = [];
    private readonly EventRecorder _recorder;
    private readonly IActorObserver _observer;

    private readonly Action? _onFailure;

    /// <param name="recorder">The run's log.</param>
    /// <param name="observer">Told each actor's thread id as it starts.</param>
    /// <param name="onFailure">Called when an actor throws, to stop its peers (they may wait for it forever).</param>
    public ActorThreads(EventRecorder recorder, IActorObserver observer, Action? onFailure = null)
    {
        _recorder = recorder;
        _observer = observer;
        _onFailure = onFailure;
    }

    /// <summary>Errors thrown by actors (not cancellations).</summary>
    public IReadOnlyList<Exception> Errors
    {
        get
        {
            lock (_errors)
            {
                return [.. _errors];
            }
        }
    }

    public void Start(int actor, string name, Action<ActorLog> body)
    {
        var log = _recorder[actor];
        var thread = new Thread(() =>
        {
            _observer.ActorStarted(actor, Environment.ProcessId, CurrentThreadId());
            try
            {
                body(log);
            }
            catch (OperationCanceledException)
            {
                log.Record(EventKind.End, "cancelled");
            }
            catch (Exception ex)
            {
                log.Record(EventKind.Crash, ex.GetType().Name);
                lock (_errors)
                {
                    _errors.Add(ex);
                }

                _onFailure?.Invoke();
            }
        })
        {
            IsBackground = true,
            Name = name,
        };
        // Kept only once it runs: a thread that could not start is never joined.
        thread.Start();
        _threads.Add(thread);
    }

    /// <summary>Waits for the <paramref name="index"/>-th started actor to end.</summary>
    public void Join(int index) => _threads[index].Join();

    public void JoinAll()
    {
        foreach (var t in _threads)
        {
            t.Join();
        }
    }

    /// <summary>The kernel's id of the calling thread where the OS has one, else the managed id.</summary>
    public static int CurrentThreadId()
    {
        if (OperatingSystem.IsLinux())
        {
            try
            {
                return GetTid();
            }
            catch (EntryPointNotFoundException)
            {
            }
            catch (DllNotFoundException)
            {
            }
        }

        return Environment.CurrentManagedThreadId;
    }

    [LibraryImport("libc", EntryPoint = "gettid")]
    private static partial int GetTid();
}
