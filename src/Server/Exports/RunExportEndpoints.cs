using System.Globalization;
using System.IO.Pipelines;
using Playground.Scenarios.Recording;
using Playground.Server.Api;
using Playground.Server.Limits;
using Playground.Server.Runs;
using Playground.Shared.Runs;
using Playground.Shared.Text;

namespace Playground.Server.Exports;

/// <summary>
/// GET /api/runs/{id}/trace (Chrome Trace Event JSON) and /api/runs/{id}/events.csv: a run's whole
/// log as a download, streamed as it is read. Anyone with the id may export, as anyone may watch.
/// </summary>
/// <remarks>
/// A run still running is exported as it stands at the request: exactly the events recorded by
/// then, lanes still open closed at that moment, and it says so — <c>X-Export-Complete: false</c>
/// and <c>X-Run-State</c> in the headers, <c>complete: false</c> and a note in the trace's
/// metadata. A run still queued has recorded nothing: 409.
/// </remarks>
public static class RunExportEndpoints
{
    public static IEndpointRouteBuilder MapRunExports(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/runs").WithTags("Runs");
        group.MapGet("/{id}/trace", Trace);
        group.MapGet("/{id}/events.csv", Csv);
        return app;
    }

    private static IResult Trace(string id, RunManager runs)
    {
        if (Cut(id, runs, out var cut) is { } refusal)
        {
            return refusal;
        }

        var info = cut.Info;
        var scenario = cut.Run.Scenario.Descriptor;
        var metadata = new List<KeyValuePair<string, object>>
        {
            new("run", info.Id),
            new("scenario", info.Scenario),
            new("state", StateName(info.State)),
            new("complete", cut.Complete),
            new("recordedEvents", cut.Events),
            new("droppedEvents", cut.Recorder.Dropped),
            new("endNs", cut.HorizonNs),
            new("clock", "CLOCK_MONOTONIC"),
        };
        if (!cut.Complete)
        {
            metadata.Add(new("note", Msg.Of("export.partial", ("id", info.Id), ("events", cut.Events), ("ms", cut.HorizonNs / 1_000_000)).Format()));
        }

        var setup = new TraceSetup(
            Environment.ProcessId,
            Msg.Of("export.server", ("id", info.Id), ("scenario", info.Scenario)).Format(),
            cut.Lanes,
            [.. scenario.Gauges.Select(g => new TraceGauge(g, Msg.Of(g.LabelKey(scenario.Id)).Format()))],
            cut.HorizonNs,
            metadata);
        return new Download(cut, "application/json; charset=utf-8", $"{info.Scenario}-{info.Id}.trace.json",
            (output, cancellationToken) => ChromeTraceWriter.WriteAsync(output, setup, cut.Read(), cut.Recorder.ToNanoseconds, cancellationToken));
    }

    private static IResult Csv(string id, RunManager runs)
    {
        if (Cut(id, runs, out var cut) is { } refusal)
        {
            return refusal;
        }

        return new Download(cut, "text/csv; charset=utf-8; header=present", $"{cut.Info.Scenario}-{cut.Info.Id}.csv",
            (output, cancellationToken) => EventsCsvWriter.WriteAsync(output, cut.Lanes, cut.Read(), cut.Recorder.ToNanoseconds, cancellationToken));
    }

    /// <summary>The run as it stands now, or why it cannot be exported.</summary>
    private static IResult? Cut(string id, RunManager runs, out ExportCut cut)
    {
        cut = null!;
        if (runs.Find(id) is not { } run)
        {
            return RunEndpoints.NotFound(id);
        }

        // The state and the log together (the run sets both under its gate), and the state before
        // the counts: a run that had ended by then has nothing more to add.
        RunInfo info;
        EventRecorder? recorder;
        lock (run.Gate)
        {
            info = run.ToInfo();
            recorder = run.Recorder;
        }

        if (recorder is null)
        {
            var detail = info.State.IsFinal()
                ? Msg.Of("api.export.neverRan", ("id", info.Id), ("state", Msg.Of("state." + StateName(info.State))))
                : Msg.Of("api.export.queued", ("id", info.Id));
            return Results.Problem(statusCode: StatusCodes.Status409Conflict, title: Msg.Of("api.title.nothingRecorded").Format(), detail: detail.Format());
        }

        var ends = recorder.Counts();
        // Taken after the counts: every event counted was recorded before it.
        var horizon = run.HorizonNanoseconds;
        cut = new ExportCut(run, info, recorder, ends, ends.Sum(n => (long)n), horizon, info.State.IsFinal(), LanesOf(info));
        return null;
    }

    /// <summary>
    /// Each actor's lane: the process it ran in (its own child in processes mode, the server
    /// otherwise) and a thread id — the real one when every actor has its own, as dedicated
    /// threads and child processes do; else, as for async tasks that share threads, the actor's
    /// number + 1 (a tid of 0 would be read as the idle task).
    /// </summary>
    private static ExportLane[] LanesOf(RunInfo info)
    {
        var server = Environment.ProcessId;
        var threads = info.Actors.Select(a => a.ThreadId ?? 0).ToList();
        var real = threads.All(t => t > 0) && threads.Distinct().Count() == threads.Count;
        return [.. info.Actors.Select((a, i) => new ExportLane(a.Id, a.Name, a.Pid > 0 ? a.Pid : server, real ? threads[i] : a.Id + 1))];
    }

    private static string StateName(RunState state) => state.ToString().ToLowerInvariant();

    /// <summary>A run's log at one moment: the per-actor counts every read of it stops at.</summary>
    private sealed record ExportCut(Run Run, RunInfo Info, EventRecorder Recorder, int[] Ends, long Events, long HorizonNs, bool Complete,
        IReadOnlyList<ExportLane> Lanes)
    {
        public IEnumerable<RawEvent> Read() => Recorder.Enumerate(Ends);
    }

    /// <summary>An attachment written straight to the response as it is made.</summary>
    private sealed class Download(ExportCut cut, string contentType, string fileName, Func<PipeWriter, CancellationToken, Task> write) : IResult
    {
        public async Task ExecuteAsync(HttpContext httpContext)
        {
            var response = httpContext.Response;
            response.ContentType = contentType;
            // Scenario ids and run ids are lower-case letters, digits and '-': nothing to escape.
            response.Headers.ContentDisposition = $"attachment; filename=\"{fileName}\"";
            response.Headers["X-Run-State"] = StateName(cut.Info.State);
            response.Headers["X-Export-Complete"] = cut.Complete ? "true" : "false";
            response.Headers["X-Export-Events"] = cut.Events.ToString(CultureInfo.InvariantCulture);
            if (!cut.Complete)
            {
                // A snapshot of a live run: the next request gets more.
                response.Headers.CacheControl = "no-store";
            }

            try
            {
                // Each export reads a whole log: a few at a time, the rest wait their turn.
                var limiter = httpContext.RequestServices.GetRequiredService<ExportLimiter>();
                await limiter.RunAsync(() => write(response.BodyWriter, httpContext.RequestAborted), httpContext.RequestAborted);
            }
            catch (OperationCanceledException) when (httpContext.RequestAborted.IsCancellationRequested)
            {
                // The reader went away; there is no one left to answer.
            }
        }
    }
}
