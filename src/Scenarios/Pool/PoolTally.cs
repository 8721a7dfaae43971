using Playground.Scenarios.Recording;
using Playground.Shared.Events;
using S = Playground.Shared.Catalog.PoolSchema;

namespace Playground.Scenarios.Pool;

/// <summary>What became of one task, as the events told it. Timestamps are of the monotonic clock; -1 when it never happened.</summary>
public sealed class TaskTrace(int task)
{
    public int Task { get; } = task;

    /// <summary>Workers (actors) that began running it: exactly one when all went well.</summary>
    public List<int> RanOn { get; } = [];

    public long SubmittedAt { get; set; } = -1;
    public long BeganAt { get; set; } = -1;

    /// <summary>Results its workers put on the result queue, and the last one's word.</summary>
    public int ResultsSent { get; set; }
    public long SentWord { get; set; }
    public long SentAt { get; set; } = -1;

    /// <summary>Results the parent took off the queue for it, and the last one's word.</summary>
    public int ResultsReceived { get; set; }
    public long ReceivedWord { get; set; }

    /// <summary>Times the parent answered it (callback, map slot, apply's return, or an error result).</summary>
    public int Answers { get; set; }
    public bool Raised { get; set; }

    public TaskTrace Copy()
    {
        var copy = new TaskTrace(Task)
        {
            SubmittedAt = SubmittedAt, BeganAt = BeganAt, ResultsSent = ResultsSent, SentWord = SentWord, SentAt = SentAt,
            ResultsReceived = ResultsReceived, ReceivedWord = ReceivedWord, Answers = Answers, Raised = Raised,
        };
        copy.RanOn.AddRange(RanOn);
        return copy;
    }
}

/// <summary>Collects, in every mode, what each task and each worker did, from the events; thread-safe.</summary>
public sealed class PoolTally
{
    private readonly object _gate = new();
    private readonly TaskTrace[] _tasks;
    private readonly int[] _current;
    private readonly long[] _ranPerActor;
    private readonly long[] _cpuMicroseconds;
    private readonly List<int> _completionOrder = [];
    private readonly List<int> _answerOrder = [];
    private readonly List<int> _strays = [];
    private long _gilWaits;

    public PoolTally(int tasks, int actors)
    {
        _tasks = [.. Enumerable.Range(0, tasks).Select(t => new TaskTrace(t))];
        _current = [.. Enumerable.Repeat(-1, actors)];
        _ranPerActor = new long[actors];
        _cpuMicroseconds = [.. Enumerable.Repeat(-1L, actors)];
    }

    public void Observe(in RawEvent e)
    {
        if ((uint)e.Actor >= (uint)_current.Length)
        {
            return;
        }

        lock (_gate)
        {
            if (e.Actor == 0)
            {
                Parent(e);
            }
            else
            {
                Worker(e);
            }
        }
    }

    private void Parent(in RawEvent e)
    {
        switch (e.Kind)
        {
            case EventKind.Put when e.Resource == S.PendingResource && Task(e.Value) is { } submitted:
                submitted.SubmittedAt = e.Timestamp;
                break;
            case EventKind.Get when e.Resource == PoolWorld.ResultsResource:
                if (Task(PoolResult.Unpack(e.Value).Task) is { } received)
                {
                    received.ResultsReceived++;
                    received.ReceivedWord = e.Value;
                }

                break;
            case EventKind.Mark or EventKind.Error when e.Resource == PoolParent.StrayResource:
                _strays.Add((int)e.Value);
                break;
            case EventKind.Mark or EventKind.Error when e.Resource is { } r && r.StartsWith(S.PendingResource + ":", StringComparison.Ordinal)
                                                        && Task(e.Value) is { } answered:
                answered.Answers++;
                _answerOrder.Add(answered.Task);
                _ranPerActor[0]++;
                break;
        }
    }

    private void Worker(in RawEvent e)
    {
        switch (e.Kind)
        {
            case EventKind.Work or EventKind.Sleep when e.Resource == S.TaskResource && Task(e.Value) is { } task:
                // A worker back from a GIL hand-over goes on with the same task: one run, not two.
                if (_current[e.Actor] != task.Task)
                {
                    _current[e.Actor] = task.Task;
                    task.RanOn.Add(e.Actor);
                    task.BeganAt = task.BeganAt < 0 ? e.Timestamp : task.BeganAt;
                    _ranPerActor[e.Actor]++;
                }

                break;
            case EventKind.Error when e.Resource == S.TaskResource && Task(e.Value) is { } raised:
                raised.Raised = true;
                break;
            case EventKind.Put when e.Resource == PoolWorld.ResultsResource:
                if (Task(PoolResult.Unpack(e.Value).Task) is { } sent)
                {
                    sent.ResultsSent++;
                    sent.SentWord = e.Value;
                    sent.SentAt = e.Timestamp;
                    _completionOrder.Add(sent.Task);
                }

                _current[e.Actor] = -1;
                break;
            case EventKind.Wait when e.Resource == EmulatedGil.Resource:
                _gilWaits++;
                break;
            case EventKind.End when e.Resource == PoolWorkers.CpuResource:
                _cpuMicroseconds[e.Actor] = e.Value;
                break;
        }
    }

    private TaskTrace? Task(long task) => task >= 0 && task < _tasks.Length ? _tasks[task] : null;

    /// <summary>A copy of what was seen so far.</summary>
    public PoolTallySnapshot Snapshot()
    {
        lock (_gate)
        {
            return new PoolTallySnapshot(
                [.. _tasks.Select(t => t.Copy())],
                [.. _completionOrder], [.. _answerOrder], [.. _strays], [.. _ranPerActor], [.. _cpuMicroseconds], _gilWaits);
        }
    }
}

/// <param name="CompletionOrder">Tasks in the order their results went onto the result queue.</param>
/// <param name="AnswerOrder">Tasks in the order the parent answered them (callbacks).</param>
/// <param name="CpuMicroseconds">Per actor, the CPU its end event reported; -1 when none did.</param>
public sealed record PoolTallySnapshot(
    IReadOnlyList<TaskTrace> Tasks,
    IReadOnlyList<int> CompletionOrder,
    IReadOnlyList<int> AnswerOrder,
    IReadOnlyList<int> Strays,
    IReadOnlyList<long> CountPerActor,
    IReadOnlyList<long> CpuMicroseconds,
    long GilWaits);
