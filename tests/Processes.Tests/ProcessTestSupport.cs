using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Playground.Scenarios.Engine;
using Playground.Scenarios.Processes;
using Playground.Scenarios.ProducerConsumer;
using Playground.Scenarios.Recording;
using Playground.Shared.Catalog;
using Playground.Shared.Events;
using Playground.Shared.Parameters;

namespace Playground.Processes.Tests;

/// <summary>Tests that start worker children run one at a time, so two cores are not swamped by start-ups.</summary>
[CollectionDefinition(Name)]
public sealed class ChildProcessCollection
{
    public const string Name = "child processes";
}

/// <summary>Records the pid each actor's child reported as it was started.</summary>
internal sealed class PidObserver : IActorObserver
{
    private readonly ConcurrentDictionary<int, int> _pids = new();

    public IReadOnlyDictionary<int, int> Pids => _pids;

    public void ActorStarted(int actor, int pid, int threadId)
    {
        if (!_pids.TryAdd(actor, pid))
        {
            throw new InvalidOperationException($"actor {actor} reported its start twice");
        }
    }

    public int PidOf(int actor) => _pids.TryGetValue(actor, out var pid) ? pid : 0;
}

/// <summary>An in-memory <see cref="IActorRecorder"/> for primitives driven by test threads.</summary>
internal sealed class ListRecorder(int actor = 0) : IActorRecorder
{
    public int Actor { get; } = actor;

    private readonly ConcurrentQueue<(EventKind Kind, string? Resource, long Value, long Level)> _events = new();

    public IReadOnlyCollection<(EventKind Kind, string? Resource, long Value, long Level)> Events => _events;

    public int Count(EventKind kind) => _events.Count(e => e.Kind == kind);

    public void Record(EventKind kind, string? resource = null, long value = 0, long level = -1) =>
        _events.Enqueue((kind, resource, value, level));
}

/// <summary>Notes every pass through PrimitiveCall.Enter and every event, in order.</summary>
internal sealed class EnterRecorder(int actor = 0) : IActorRecorder
{
    private readonly ConcurrentQueue<(bool Enter, EventKind Kind, string? Resource)> _seen = new();

    public int Actor { get; } = actor;

    public IReadOnlyList<(bool Enter, EventKind Kind, string? Resource)> Seen => [.. _seen];

    public void Record(EventKind kind, string? resource = null, long value = 0, long level = -1) => _seen.Enqueue((false, kind, resource));

    public void BeforeOperation(EventKind operation, string resource) => _seen.Enqueue((true, operation, resource));
}

/// <summary>The state of a process as /proc tells it.</summary>
internal readonly record struct ProcStat(int Pid, char State, int ParentPid, int GroupId);

internal static class ProcessTestSupport
{
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    private static readonly Lazy<WorkerCommand> LazyWorker = new(() =>
    {
        var (command, status) = WorkerLocation.Locate(null);
        return command ?? throw new InvalidOperationException("no worker for processes mode: " + status);
    });

    /// <summary>The framework-dependent worker that build/Worker.targets copied next to the tests.</summary>
    public static WorkerCommand Worker => LazyWorker.Value;

    public static string NewRunId() => "t" + Guid.NewGuid().ToString("N")[..10];

    /// <summary>Validated processes-mode producer/consumer values; every knob not given keeps its default.</summary>
    public static ParameterValues Values(params (string Name, string Value)[] knobs) =>
        ProcessValues(ProducerConsumerSchema.Descriptor, knobs);

    /// <summary>Validated processes-mode values of <paramref name="scenario"/>; every knob not given keeps its default.</summary>
    public static ParameterValues ProcessValues(ScenarioDescriptor scenario, params (string Name, string Value)[] knobs)
    {
        var raw = new Dictionary<string, string?> { [CommonParameters.Mode] = RunModes.Processes };
        foreach (var (name, value) in knobs)
        {
            raw[name] = value;
        }

        var result = ParameterValidator.Validate(scenario, raw);
        Assert.True(result.IsValid, string.Join("; ", result.Errors.Select(e => $"{e.Field}: {e.Message}")));
        return result.Values;
    }

    /// <summary>Entries of /dev/shm (shared files and semaphores) whose names carry <paramref name="runId"/>.</summary>
    public static List<string> SharedEntriesOf(string runId) =>
        [.. Directory.EnumerateFiles("/dev/shm").Where(p => p.Contains(runId, StringComparison.Ordinal))];

    public static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>One processes-mode run, prepared and ready to execute off the test's thread.</summary>
    public sealed class ProcessRun : IDisposable
    {
        public ProcessRun(ParameterValues values, long maxEvents = 1_000_000)
        {
            RunId = NewRunId();
            var environment = new RunEnvironment(RunId, Worker);
            SharedNames = new SharedQueueNames(environment.SharedKey);
            Execution = new ProducerConsumerScenario().Create(values, environment);
            Assert.Equal(RunModes.Processes, Assert.IsType<ProducerConsumerScript>(Execution).Mode);
            Recorder = new EventRecorder(Execution.Actors.Count, maxEvents);
        }

        public string RunId { get; }

        /// <summary>The names of the run's shared queue: they carry the server's owner tag as well as the run id.</summary>
        public SharedQueueNames SharedNames { get; }

        public IScenarioExecution Execution { get; }

        public EventRecorder Recorder { get; }

        public PidObserver Observer { get; } = new();

        public CancellationTokenSource Cancel { get; } = new();

        public Task<ScenarioOutcome> Start() =>
            Task.Run(() => Execution.Execute(Recorder, Observer, Cancel.Token));

        public int ActorIndex(string name)
        {
            for (var i = 0; i < Execution.Actors.Count; i++)
            {
                if (Execution.Actors[i].Name == name)
                {
                    return i;
                }
            }

            throw new ArgumentException($"no actor named {name}", nameof(name));
        }

        public void Dispose()
        {
            Recorder.Dispose();
            Cancel.Dispose();
        }
    }

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

    /// <summary>Reads /proc/PID/stat; null when the process does not exist.</summary>
    public static ProcStat? Stat(int pid)
    {
        string text;
        try
        {
            text = File.ReadAllText($"/proc/{pid}/stat");
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException or IOException)
        {
            return null;
        }

        // "pid (comm) state ppid pgrp ..."; comm may hold spaces and parentheses, so split after the last ')'.
        var rest = text[(text.LastIndexOf(')') + 2)..].Split(' ');
        return new ProcStat(pid, rest[0][0], int.Parse(rest[1], CultureInfo.InvariantCulture), int.Parse(rest[2], CultureInfo.InvariantCulture));
    }

    /// <summary>True when <paramref name="pid"/> is this test process or one of its descendants.</summary>
    public static bool IsOurDescendant(int pid)
    {
        var self = Environment.ProcessId;
        for (var hops = 0; hops < 64 && pid > 1; hops++)
        {
            var stat = Stat(pid);
            if (stat is null)
            {
                return false;
            }

            if (stat.Value.ParentPid == self)
            {
                return true;
            }

            pid = stat.Value.ParentPid;
        }

        return false;
    }

    /// <summary>
    /// A child of ours is gone when its pid no longer exists, or — should the pid have been reused
    /// already — belongs to a process that is not ours. A zombie of ours would still be our child.
    /// </summary>
    public static void AssertGone(int pid)
    {
        var stat = Stat(pid);
        if (stat is null)
        {
            return;
        }

        Assert.False(stat.Value.ParentPid == Environment.ProcessId,
            $"child {pid} is still there (state {stat.Value.State}){(stat.Value.State == 'Z' ? ", a zombie nobody reaped" : "")}");
        Assert.False(IsOurDescendant(pid), $"process {pid} is still one of ours");
    }

    public static int OurGroup => Stat(Environment.ProcessId)!.Value.GroupId;

    /// <summary>
    /// The /dev/shm files a live process really has: its memory maps and its open descriptors.
    /// Empty when the process has already gone.
    /// </summary>
    public static HashSet<string> SharedMemoryFilesOf(int pid)
    {
        var found = new HashSet<string>(StringComparer.Ordinal);
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/maps"))
            {
                var at = line.IndexOf("/dev/shm/", StringComparison.Ordinal);
                if (at >= 0)
                {
                    found.Add(StripDeleted(line[at..]));
                }
            }

            foreach (var fd in Directory.EnumerateFileSystemEntries($"/proc/{pid}/fd"))
            {
                try
                {
                    var target = new FileInfo(fd).LinkTarget;
                    if (target is not null && target.StartsWith("/dev/shm/", StringComparison.Ordinal))
                    {
                        found.Add(StripDeleted(target));
                    }
                }
                catch (IOException)
                {
                    // The descriptor closed while we looked.
                }
            }
        }
        catch (Exception ex) when (ex is IOException or DirectoryNotFoundException or UnauthorizedAccessException)
        {
            // The process ended while we looked.
        }

        return found;
    }

    private static string StripDeleted(string path) =>
        path.EndsWith(" (deleted)", StringComparison.Ordinal) ? path[..^" (deleted)".Length] : path.TrimEnd();

    /// <summary>Every event of one actor's lane.</summary>
    public static List<RawEvent> Lane(EventRecorder recorder, int actor)
    {
        var log = recorder[actor];
        var list = new List<RawEvent>(log.Count);
        for (var i = 0; i < log.Count; i++)
        {
            list.Add(log[i]);
        }

        return list;
    }

    public static Dictionary<string, double> MetricsOf(ScenarioOutcome outcome) =>
        outcome.Metrics.ToDictionary(m => m.Name, m => m.Value);
}
