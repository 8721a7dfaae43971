using System.Diagnostics;
using BenchmarkDotNet.Attributes;
using Playground.Scenarios.Recording;
using Playground.Shared.Events;

namespace Playground.Benchmarks;

/// <summary>
/// Cost of one event on an actor's hot path. Each invocation records <see cref="Events"/> events
/// (32 chunks) into a fresh recorder; the recorder is built and disposed outside the measurement,
/// and its chunks go back to the shared pool, so after the first iteration every chunk is rented
/// warm and the figure is the steady-state cost per event.
/// </summary>
[MemoryDiagnoser]
public class RecorderBenchmarks
{
    public const int Events = 4096 * 32;

    private EventRecorder _recorder = null!;
    private ActorLog _log = null!;
    private LockedListRecorder _locked = null!;
    private LockedListRecorder _lockedPresized = null!;

    [IterationSetup]
    public void CreateRecorders()
    {
        _recorder = new EventRecorder(1, Events);
        _log = _recorder[0];
        _locked = new LockedListRecorder(presize: 0);
        _lockedPresized = new LockedListRecorder(presize: Events);
    }

    [IterationCleanup]
    public void ReleaseRecorders() => _recorder.Dispose();

    [Benchmark(OperationsPerInvoke = Events, Description = "ActorLog.Record (lock-free, pooled chunks)")]
    public void ActorLogRecord()
    {
        var log = _log;
        for (var i = 0; i < Events; i++)
        {
            log.Record(EventKind.Put, "queue", i, i & 7);
        }
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Events, Description = "lock + List<T>.Add")]
    public void LockedListRecord()
    {
        var recorder = _locked;
        for (var i = 0; i < Events; i++)
        {
            recorder.Record(EventKind.Put, "queue", i, i & 7);
        }
    }

    [Benchmark(OperationsPerInvoke = Events, Description = "lock + List<T>.Add, list presized")]
    public void LockedPresizedListRecord()
    {
        var recorder = _lockedPresized;
        for (var i = 0; i < Events; i++)
        {
            recorder.Record(EventKind.Put, "queue", i, i & 7);
        }
    }

    [Benchmark(OperationsPerInvoke = Events, Description = "Stopwatch.GetTimestamp alone")]
    public long TimestampOnly()
    {
        long sum = 0;
        for (var i = 0; i < Events; i++)
        {
            sum += Stopwatch.GetTimestamp();
        }

        return sum;
    }

    /// <summary>The obvious alternative: one lock around a list (uncontended here).</summary>
    private sealed class LockedListRecorder(int presize)
    {
        private readonly object _gate = new();
        private readonly List<RawEvent> _events = new(presize);

        public void Record(EventKind kind, string? resource, long value, long level)
        {
            var e = new RawEvent(Stopwatch.GetTimestamp(), 0, kind, resource, value, level);
            lock (_gate)
            {
                _events.Add(e);
            }
        }
    }
}

/// <summary>
/// What a reader pays to drain a run's log: <see cref="EventRecorder.ReadNew"/> over four actors
/// whose events interleave in time, merged by timestamp, per event read.
/// </summary>
[MemoryDiagnoser]
public class RecorderReadBenchmarks
{
    private const int Actors = 4;
    private const int PerActor = 4096 * 4;
    private EventRecorder _recorder = null!;

    [GlobalSetup]
    public void Fill()
    {
        _recorder = new EventRecorder(Actors, Actors * PerActor);
        for (var i = 0; i < PerActor; i++)
        {
            for (var a = 0; a < Actors; a++)
            {
                _recorder[a].Record(EventKind.Get, "queue", i, 0);
            }
        }
    }

    [GlobalCleanup]
    public void Release() => _recorder.Dispose();

    [Benchmark(OperationsPerInvoke = Actors * PerActor, Description = "ReadNew, whole log, 4 actors")]
    public int ReadWholeLog() => _recorder.ReadNew(new int[Actors]).Count;

    [Benchmark(OperationsPerInvoke = Actors * PerActor, Description = "ReadNew in batches of 1024")]
    public int ReadInBatches()
    {
        var cursors = new int[Actors];
        var total = 0;
        while (true)
        {
            var batch = _recorder.ReadNew(cursors, 1024);
            if (batch.Count == 0)
            {
                return total;
            }

            total += batch.Count;
        }
    }
}
