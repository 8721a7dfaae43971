using System.Globalization;
using Playground.Scenarios.Engine;
using Playground.Scenarios.Processes;
using Playground.Shared.Parameters;

// The child program of processes mode: runs one actor of one run. It joins the run's process
// group, dies with its parent, opens the run's named primitives, runs the same actor code as
// threads mode and records its events into the event ring in shared memory the server made for
// it. Its stdout carries nothing; the server sees it close when the child exits. Diagnostics go
// to stderr.
//
//   Playground.Worker --parent PID --pgid PGID --events RING --scenario ID --run RUNID --actor N --params QUERY
try
{
    return WorkerMain.Run(args);
}
catch (Exception ex)
{
    // Report and exit with a code the server knows, rather than aborting (SIGABRT, core file).
    Console.Error.WriteLine("worker: " + ex);
    return ChildExit.ActorFailed;
}

internal static class WorkerMain
{
    public static int Run(string[] args)
    {
        Dictionary<string, string> options;
        try
        {
            options = Parse(args);
        }
        catch (ArgumentException ex)
        {
            Console.Error.WriteLine("worker: " + ex.Message);
            return 2;
        }

        if (options.TryGetValue("parent", out var parentText))
        {
            var parent = int.Parse(parentText, CultureInfo.InvariantCulture);
            if (!ChildProcessSetup.DieWithParent(parent))
            {
                Console.Error.WriteLine("worker: the parent is gone");
                return 3;
            }
        }

        if (options.TryGetValue("pgid", out var pgidText))
        {
            ChildProcessSetup.JoinGroup(int.Parse(pgidText, CultureInfo.InvariantCulture));
        }

        if (options.ContainsKey("hold"))
        {
            // The run's group leader: it holds the process group open until the run ends
            // (it is killed with the group, or its stdin closes when the server goes away).
            // It ignores the SIGTERM that asks the run's actors to stop: the group id must stay
            // valid until the final SIGKILL.
            using var ignoreTerm = System.Runtime.InteropServices.PosixSignalRegistration.Create(
                System.Runtime.InteropServices.PosixSignal.SIGTERM, context => context.Cancel = true);
            using var answer = Console.OpenStandardOutput();
            answer.Write("ok"u8);
            answer.Flush();
            using var stdin = Console.OpenStandardInput();
            var buffer = new byte[64];
            while (stdin.Read(buffer) > 0)
            {
            }

            return 0;
        }

        if (options.ContainsKey("probe"))
        {
            // Lets the server check at start-up that the worker runs at all.
            Console.Out.Write("ok");
            return 0;
        }

        if (!options.TryGetValue("scenario", out var scenarioId) || !options.TryGetValue("run", out var runId)
            || !options.TryGetValue("actor", out var actorText) || !int.TryParse(actorText, CultureInfo.InvariantCulture, out var actor))
        {
            Console.Error.WriteLine("worker: usage: --events RING --scenario ID --run RUNID --actor N --params QUERY");
            return 2;
        }

        if (!ScenarioRegistry.Default.TryGet(scenarioId, out var scenario) || !scenario.Descriptor.Modes.Contains(Playground.Shared.Catalog.RunModes.Processes))
        {
            Console.Error.WriteLine($"worker: scenario '{scenarioId}' cannot run in processes mode");
            return 2;
        }

        // The same validation as the server's: nothing out of range reaches an actor.
        var validation = ShareLink.Decode(scenario.Descriptor, options.GetValueOrDefault("params"));
        if (!validation.IsValid)
        {
            Console.Error.WriteLine("worker: " + string.Join("; ", validation.Errors.Select(e => e.Message)));
            return 2;
        }

        // The same script the server runs, opening the primitives the server created.
        var execution = scenario.Create(validation.Values);
        if (execution is not IChildActorScript script || actor < 0 || actor >= execution.Actors.Count)
        {
            Console.Error.WriteLine($"worker: scenario '{scenarioId}' has no actor {actor} to run in a child");
            return 2;
        }

        if (!options.TryGetValue("events", out var ringPath) || ringPath.Length == 0)
        {
            Console.Error.WriteLine("worker: --events PATH (the event ring the server made for this child) is missing");
            return 2;
        }

        using var events = EventRingWriter.Open(ringPath, actor);
        return script.RunChild(runId, actor, events);
    }

    private static Dictionary<string, string> Parse(string[] args)
    {
        var options = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Length; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal))
            {
                throw new ArgumentException($"unexpected argument '{args[i]}'");
            }

            var key = args[i][2..];
            var value = i + 1 < args.Length && !args[i + 1].StartsWith("--", StringComparison.Ordinal) ? args[++i] : "";
            options[key] = value;
        }

        return options;
    }
}
