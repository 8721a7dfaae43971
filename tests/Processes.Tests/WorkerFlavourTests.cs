using System.Runtime.Versioning;
using Playground.Scenarios.Engine;
using Playground.Scenarios.Processes;
using Playground.Scenarios.ProducerConsumer;
using Playground.Scenarios.Recording;
using Playground.Scenarios.TicketBooking;
using Playground.Shared.Catalog;
using static Playground.Processes.Tests.ProcessTestSupport;
using P = Playground.Shared.Catalog.ProducerConsumerSchema;
using T = Playground.Shared.Catalog.TicketBookingSchema;

namespace Playground.Processes.Tests;

/// <summary>
/// Both flavours of the worker: the build's own in "worker" (NativeAOT where the build had clang) and
/// the framework-dependent one in "worker-framework", which build/Worker.targets copies for these tests.
/// </summary>
[SupportedOSPlatform("linux")]
[Collection(ChildProcessCollection.Name)]
public sealed class WorkerFlavourTests
{
    private static string Folder(string name) => Path.Combine(AppContext.BaseDirectory, name);

    private static WorkerCommand Found(string? path)
    {
        var (command, status) = WorkerLocation.Locate(path);
        return command ?? throw new InvalidOperationException(status);
    }

    public static TheoryData<string> Folders() => new() { "worker", "worker-framework" };

    [Fact]
    public void The_worker_next_to_the_program_is_the_flavour_its_folder_holds_and_the_status_says_which()
    {
        var (command, status) = WorkerLocation.Locate(null);

        Assert.NotNull(command);
        if (File.Exists(Path.Combine(Folder("worker"), "Playground.Worker.dll")))
        {
            Assert.Equal("framework", command.Flavour);
            Assert.StartsWith("framework-dependent worker at ", status, StringComparison.Ordinal);
        }
        else
        {
            Assert.Equal("native", command.Flavour);
            Assert.Equal(Path.Combine(Folder("worker"), "Playground.Worker"), command.FileName);
            Assert.Empty(command.PrefixArguments);
            Assert.StartsWith("native (NativeAOT) worker at ", status, StringComparison.Ordinal);
            // A NativeAOT worker is the executable and the native libraries it loads, nothing managed.
            Assert.Empty(Directory.EnumerateFiles(Folder("worker"), "*.dll", SearchOption.AllDirectories));
        }
    }

    [Fact]
    public void The_framework_dependent_worker_is_run_by_dotnet_whether_its_dll_or_its_launcher_is_named()
    {
        var dll = Path.Combine(Folder("worker-framework"), "Playground.Worker.dll");

        foreach (var path in new[] { dll, Path.Combine(Folder("worker-framework"), "Playground.Worker") })
        {
            var (command, status) = WorkerLocation.Locate(path);

            Assert.True(command is not null, status);
            Assert.Equal("framework", command.Flavour);
            Assert.Equal("dotnet", Path.GetFileNameWithoutExtension(command.FileName));
            Assert.Equal([dll], command.PrefixArguments);
            Assert.StartsWith($"framework-dependent worker at {path}, run by ", status, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void A_missing_worker_and_one_that_does_not_answer_the_probe_are_reported_not_returned()
    {
        var folder = Directory.CreateTempSubdirectory("pg-worker-test-");
        try
        {
            var missing = Path.Combine(folder.FullName, "Playground.Worker");
            var (none, why) = WorkerLocation.Locate(missing);
            Assert.Null(none);
            Assert.Contains("not found", why, StringComparison.Ordinal);

            // An executable with no dll beside it is taken for a native worker, and must still answer.
            File.WriteAllText(missing, "#!/bin/sh\necho 'cannot start' >&2\nexit 3\n");
            File.SetUnixFileMode(missing, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            var (broken, status) = WorkerLocation.Locate(missing);
            Assert.Null(broken);
            Assert.Equal($"the worker at {missing} does not run: exit code 3: cannot start", status);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Theory(Timeout = 120_000)]
    [MemberData(nameof(Folders))]
    public async Task Producer_and_consumer_processes_of_either_flavour_move_every_item_once(string folder)
    {
        var worker = Found(folder == "worker" ? null : Path.Combine(Folder(folder), "Playground.Worker.dll"));
        var runId = NewRunId();
        var execution = new ProducerConsumerScenario().Create(
            Values((P.Producers, "2"), (P.Consumers, "2"), (P.Items, "200"), (P.Capacity, "3"), (P.ProduceDelay, "0"), (P.ConsumeDelay, "0"),
                (P.Jitter, "0"), (CommonParameters.TimeScale, "0.001")),
            new RunEnvironment(runId, worker));
        using var recorder = new EventRecorder(execution.Actors.Count, 100_000);
        var observer = new PidObserver();

        var outcome = await Task.Factory.StartNew(() => execution.Execute(recorder, observer, CancellationToken.None),
            CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default).WaitAsync(TimeSpan.FromSeconds(100));

        Assert.Null(outcome.Failure);
        Assert.True(outcome.Verdict.Held, string.Join("; ", outcome.Verdict.Evidence.Select(m => m.Format())));
        var metrics = MetricsOf(outcome);
        Assert.Equal(400, metrics["produced"]);
        Assert.Equal(400, metrics["consumed"]);
        Assert.Equal(execution.Actors.Count, observer.Pids.Count);
        Assert.All(observer.Pids.Values, AssertGone);
        Assert.Empty(SharedEntriesOf(runId));
    }

    [Theory(Timeout = 120_000)]
    [MemberData(nameof(Folders))]
    public async Task Buyer_processes_of_either_flavour_open_the_sqlite_store_and_a_semaphore_sells_exactly_the_tickets(string folder)
    {
        // The worker loads SQLite's native library (libe_sqlite3.so) from its own folder.
        var worker = Found(folder == "worker" ? null : Path.Combine(Folder(folder), "Playground.Worker.dll"));
        var runId = NewRunId();
        var environment = new RunEnvironment(runId, worker);
        var execution = new TicketBookingScenario().Create(
            ProcessValues(T.Descriptor, (T.Buyers, "6"), (T.Tickets, "2"), (T.Think, "0.005"), (T.Lock, T.SemaphoreLock), (T.Store, T.Sqlite)),
            environment);
        using var recorder = new EventRecorder(execution.Actors.Count, 100_000);
        var observer = new PidObserver();

        var outcome = await Task.Factory.StartNew(() => execution.Execute(recorder, observer, CancellationToken.None),
            CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default).WaitAsync(TimeSpan.FromSeconds(100));

        Assert.Null(outcome.Failure);
        Assert.True(outcome.Verdict.Held, string.Join("; ", outcome.Verdict.Evidence.Select(m => m.Format())));
        var metrics = MetricsOf(outcome);
        Assert.Equal(2, metrics["successes"]);
        Assert.Equal(0, metrics["finalValue"]);
        Assert.Equal(execution.Actors.Count, observer.Pids.Count);
        Assert.All(observer.Pids.Values, AssertGone);
        Assert.False(Directory.Exists(TicketWorld.FolderOf(environment.SharedKey)), "the run's folder was left behind");
        Assert.Empty(SharedEntriesOf(runId));
    }
}
