using System.Collections.Concurrent;
using System.Diagnostics;
using Playground.Scenarios.Engine;
using Playground.Scenarios.Recording;
using Playground.Shared.Catalog;
using Playground.Shared.Parameters;

namespace Playground.Scenarios.Tests;

/// <summary>Records which process and thread each actor reported when it started.</summary>
internal sealed class RecordingObserver : IActorObserver
{
    private readonly ConcurrentDictionary<int, (int Pid, int ThreadId)> _started = new();

    public IReadOnlyDictionary<int, (int Pid, int ThreadId)> Started => _started;

    public void ActorStarted(int actor, int pid, int threadId)
    {
        if (!_started.TryAdd(actor, (pid, threadId)))
        {
            throw new InvalidOperationException($"actor {actor} reported its start twice");
        }
    }
}

internal static class TestSupport
{
    /// <summary>Generous bound for work that must finish; a hang fails the test instead of the run.</summary>
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    /// <summary>Validated producer/consumer values; every knob not given keeps its default.</summary>
    public static ParameterValues ProducerConsumerValues(params (string Name, string Value)[] knobs) =>
        ValuesOf(ProducerConsumerSchema.Descriptor, knobs);

    /// <summary>Validated values of <paramref name="scenario"/>; every knob not given keeps its default.</summary>
    public static ParameterValues ValuesOf(ScenarioDescriptor scenario, params (string Name, string Value)[] knobs)
    {
        var raw = knobs.ToDictionary(k => k.Name, k => (string?)k.Value);
        var result = ParameterValidator.Validate(scenario, raw);
        Assert.True(result.IsValid, string.Join("; ", result.Errors.Select(e => $"{e.Field}: {e.Message}")));
        return result.Values;
    }

    /// <summary>Starts <paramref name="body"/> on its own thread and returns the thread and its outcome.</summary>
    public static (Thread Thread, Task<T> Outcome) StartThread<T>(Func<T> body)
    {
        var done = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try
            {
                done.SetResult(body());
            }
            catch (Exception ex)
            {
                done.SetException(ex);
            }
        })
        {
            IsBackground = true,
            Name = "test worker",
        };
        thread.Start();
        return (thread, done.Task);
    }

    /// <summary>Runs blocking work on a dedicated thread and fails if it does not finish in time.</summary>
    public static async Task<T> OnThread<T>(Func<T> body, TimeSpan? deadline = null) =>
        await StartThread(body).Outcome.WaitAsync(deadline ?? Deadline);

    public static Task OnThread(Action body, TimeSpan? deadline = null) =>
        OnThread(() =>
        {
            body();
            return true;
        }, deadline);

    /// <summary>Waits (without sleeping a fixed time) until <paramref name="condition"/> holds.</summary>
    public static async Task Eventually(Func<bool> condition, string what, TimeSpan? deadline = null)
    {
        var limit = Stopwatch.StartNew();
        while (!condition())
        {
            if (limit.Elapsed > (deadline ?? Deadline))
            {
                Assert.Fail($"timed out waiting until {what}");
            }

            await Task.Delay(5);
        }
    }

    /// <summary>Spins until the monotonic clock has moved past <paramref name="timestamp"/>.</summary>
    public static void ClockPast(long timestamp)
    {
        while (Stopwatch.GetTimestamp() <= timestamp)
        {
            Thread.SpinWait(20);
        }
    }

    public static List<RawEvent> Events(ActorLog log)
    {
        var list = new List<RawEvent>(log.Count);
        for (var i = 0; i < log.Count; i++)
        {
            list.Add(log[i]);
        }

        return list;
    }
}
