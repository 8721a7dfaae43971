using Playground.Tests.Common;
using System.Text.Json;
using Playground.Scenarios.Processes;
using Playground.Server.Tests.Infrastructure;
using Playground.Shared.Runs;

namespace Playground.Server.Tests;

/// <summary>Tests that count this process's descriptors or kill servers run alone, never beside other tests.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessHygiene
{
    public const string Name = "process hygiene";
}

/// <summary>An actor silent for 2 s (unless its own steps are longer) is stuck.</summary>
public sealed class ShortStallHost : PlaygroundHost
{
    protected override IReadOnlyDictionary<string, string> Settings { get; } = new Dictionary<string, string>
    {
        ["Runs:StallSeconds"] = "2",
    };
}

[Collection(ProcessHygiene.Name)]
public sealed class DescriptorTests(PlaygroundHost host) : IClassFixture<PlaygroundHost>
{
    private static readonly Dictionary<string, object> QuickProcesses = new()
    {
        ["mode"] = "processes",
        ["items"] = 5,
        ["timeScale"] = 0.001,
    };

    [Fact(Timeout = 240_000)]
    public async Task Open_descriptors_return_to_their_count_after_20_processes_mode_runs()
    {
        var http = host.CreateApiClient(nameof(Open_descriptors_return_to_their_count_after_20_processes_mode_runs));
        // One run first: the worker probe, the connection, the thread pool settle.
        Assert.Equal(RunState.Completed, (await http.WaitForFinalAsync(await http.StartRunAsync(QuickProcesses))).State);
        var before = Signals.Descriptors();

        for (var i = 0; i < 20; i++)
        {
            var run = await http.WaitForFinalAsync(await http.StartRunAsync(QuickProcesses));
            Assert.Equal(RunState.Completed, run.State);
        }

        var after = Signals.Descriptors();
        // A run's own descriptors are pipes (each child's stdin, stdout, stderr) and /dev/shm
        // files: those must be back exactly. The rest of this process (sockets, timers of other
        // hosts) may move by a few either way, far less than one leaked descriptor per run would.
        Assert.True(after.Pipes <= before.Pipes, $"pipes: {before.Pipes} before, {after.Pipes} after 20 runs");
        Assert.True(after.SharedMemory <= before.SharedMemory, $"/dev/shm files: {before.SharedMemory} before, {after.SharedMemory} after 20 runs");
        Assert.True(after.Total < before.Total + 10, $"descriptors: {before.Total} before, {after.Total} after 20 runs");
    }
}

[Collection(ProcessHygiene.Name)]
public sealed class WatchdogTests(ShortStallHost host) : IClassFixture<ShortStallHost>
{
    [Fact(Timeout = 60_000)]
    public async Task A_stopped_child_ends_its_run_by_the_watchdog_naming_the_actor_and_nothing_is_left()
    {
        var http = host.CreateApiClient(nameof(A_stopped_child_ends_its_run_by_the_watchdog_naming_the_actor_and_nothing_is_left));
        // Consumers eat for 0.5 s at a time from a queue the producer keeps full: they are never
        // blocked, so a silent one is stuck, not waiting.
        var id = await http.StartRunAsync(new Dictionary<string, object>
        {
            ["mode"] = "processes",
            ["items"] = 40,
            ["capacity"] = 2,
            ["produceDelay"] = 0,
            ["consumeDelay"] = 0.5,
            ["jitter"] = 0,
            ["timeScale"] = 1,
        });
        await using var hub = await host.ConnectHubAsync();
        using var cts = new CancellationTokenSource(PlaygroundHost.Patience);
        await using var stream = hub.OpenStream(id, cts.Token);
        // consumer-2 is actor 2 (producer-1, consumer-1, consumer-2); wait until it has eaten.
        await stream.ReadUntilAsync(b => b.Events.Any(e => e.Actor == 2 && e.Kind == "get"));
        var pids = (await http.GetRunAsync(id)).Actors.Select(a => a.Pid).ToList();
        var stuck = pids[2];

        Signals.Send(stuck, Signals.SIGSTOP);
        var final = await stream.ReadUntilAsync(b => b.Final);

        Assert.Equal(RunState.Failed, final.State);
        var run = await http.GetRunAsync(id);
        Assert.Equal("reason.stalled", run.Reason?.Key);
        Assert.Equal($"consumer-2 (pid {stuck}) made no progress for 2 s", run.Reason?.Format(System.Globalization.CultureInfo.GetCultureInfo("en")));
        Assert.Equal($"consumer-2（pid {stuck}）已经 2 秒没有任何进展", run.Reason?.Format(System.Globalization.CultureInfo.GetCultureInfo("zh-CN")));
        // Every child is gone (reaped; no zombie), the stopped one included.
        Assert.All(pids, pid => Assert.False(Directory.Exists($"/proc/{pid}"), $"process {pid} is still there"));
        Assert.Empty(Directory.EnumerateFiles("/dev/shm", $"*pg-*-{id}-*"));
    }
}

[Collection(ProcessHygiene.Name)]
public sealed class RestartSweepTests
{
    [Fact(Timeout = 180_000)]
    public async Task A_restart_sweeps_the_shared_memory_a_killed_server_left()
    {
        string[] left;
        await using (var server = await SiteProcess.StartAsync())
        {
            var tag = SharedNameOwner.TagOf(server.Pid);
            Assert.NotNull(tag);
            using var http = new HttpClient(new SocketsHttpHandler { CookieContainer = new() }) { BaseAddress = server.BaseUri, Timeout = PlaygroundHost.Patience };
            var id = await http.StartRunAsync(new Dictionary<string, object> { ["mode"] = "processes", ["items"] = 100, ["timeScale"] = 1 });
            await http.WaitForRunAsync(id, r => r.State == RunState.Running && r.Actors.All(a => a.Pid > 0));

            await server.KillAsync();

            left = [.. Directory.EnumerateFiles("/dev/shm", $"*pg-{tag}-{id}-*")];
            Assert.NotEmpty(left);
        }

        var restarted = new PlaygroundHost();
        await ((IAsyncLifetime)restarted).InitializeAsync();
        try
        {
            Assert.All(left, path => Assert.False(File.Exists(path), $"{path} is still there after the restart"));
        }
        finally
        {
            await ((IAsyncLifetime)restarted).DisposeAsync();
        }
    }

    [Fact(Timeout = 30_000)]
    public async Task The_sweep_leaves_the_entries_of_a_live_server_alone()
    {
        var path = $"/dev/shm/pg-{SharedNameOwner.Current}-sweeptest{Environment.TickCount64}-queue";
        await File.WriteAllBytesAsync(path, new byte[16]);
        try
        {
            var restarted = new PlaygroundHost();
            await ((IAsyncLifetime)restarted).InitializeAsync();
            await ((IAsyncLifetime)restarted).DisposeAsync();

            Assert.True(File.Exists(path));
        }
        finally
        {
            File.Delete(path);
        }
    }
}
