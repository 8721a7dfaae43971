using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Playground.Scenarios.Recording;
using Playground.Server.Identity;
using Playground.Server.Limits;
using Playground.Server.Runs;
using Playground.Shared.Parameters;
using Playground.Shared.Runs;
using Playground.Shared.Text;

namespace Playground.Server.Api;

/// <summary>
/// The body of POST /api/runs. Parameter values may be JSON numbers or strings. The parameters stay
/// one JSON element until they are counted, so a flood of names is refused before any is copied.
/// </summary>
public sealed record RunRequestDto(string? Scenario, JsonElement Parameters);

public static class RunEndpoints
{
    public static IEndpointRouteBuilder MapRunApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/runs").WithTags("Runs");
        group.MapPost("/", StartRun).RequireRateLimiting(RunStartRateLimiting.Policy);
        // Only the caller's own runs; anyone may still read or watch a run whose id they have.
        group.MapGet("/", (RunManager runs, HttpContext http) => runs.List(http.Owner()).Select(r => r.ToInfo()).ToList());
        group.MapGet("/{id}", (string id, RunManager runs) =>
            runs.Find(id) is { } run ? Results.Ok(run.ToInfo()) : NotFound(id));
        group.MapDelete("/{id}", CancelRun);
        group.MapGet("/{id}/events", EventsPage);
        group.MapGet("/{id}/tiles", Tiles);
        return app;
    }

    private static IResult CancelRun(string id, RunManager runs, HttpContext http)
    {
        var run = runs.Find(id);
        if (run is null)
        {
            return NotFound(id);
        }

        return runs.Cancel(id, http.Owner()) switch
        {
            CancelOutcome.Cancelled => Results.Accepted($"/api/runs/{id}", run.ToInfo()),
            CancelOutcome.NotOwner => Results.Problem(statusCode: StatusCodes.Status403Forbidden, title: Msg.Of("api.title.notOwner").Format(),
                detail: Msg.Of("run.notOwner", ("id", id)).Format()),
            CancelOutcome.Unknown => NotFound(id),
            _ => Results.Problem(statusCode: StatusCodes.Status409Conflict, title: Msg.Of("api.title.runEnded").Format(),
                detail: Msg.Of("api.runEnded", ("id", id), ("state", Msg.Of("state." + run.ToInfo().State.ToString().ToLowerInvariant()))).Format()),
        };
    }

    /// <summary>One page of the log: at most <c>limit</c> events after the cursor <c>from</c>; never the whole log at once.</summary>
    private static IResult EventsPage(string id, string? from, string? limit, RunManager runs, IOptions<LimitOptions> options)
    {
        var run = runs.Find(id);
        if (run is null)
        {
            return NotFound(id);
        }

        var limits = options.Value;
        var size = limits.EventsPageSize;
        if (!string.IsNullOrEmpty(limit)
            && (!int.TryParse(limit, NumberStyles.None, CultureInfo.InvariantCulture, out size) || size < 1 || size > limits.MaxEventsPageSize))
        {
            return BadQuery(Msg.Of("api.badLimit", ("text", ParameterValidator.Clip(limit)), ("max", limits.MaxEventsPageSize)));
        }

        var actors = run.Execution.Actors.Count;
        var cursors = new int[actors];
        var recorder = run.Recorder;
        if (!string.IsNullOrEmpty(from) && !TryParseCursor(from, recorder, cursors))
        {
            return BadQuery(Msg.Of("api.badCursor", ("text", ParameterValidator.Clip(from))));
        }

        // Read the state before the log: a run that was final then has nothing more to add.
        var final = run.IsFinal;
        var events = recorder is null ? [] : recorder.ReadNew(cursors, size).Select(e => recorder.ToDto(e)).ToList();
        var done = final && (recorder is null || recorder.Pending(cursors) == 0);
        return Results.Ok(new EventPage(events, done ? null : string.Join('.', cursors)));
    }

    /// <summary>
    /// The run between <c>from</c> and <c>to</c> (ns since its start; the whole run by default) in
    /// <c>buckets</c> buckets: time per state and instants per lane, each gauge's levels, and the raw
    /// events when the window holds few enough. Costs about the buckets asked for, not the events.
    /// </summary>
    private static async Task<IResult> Tiles(string id, string? from, string? to, string? buckets, RunManager runs, IOptions<LimitOptions> options,
        TileQueryLimiter limiter, CancellationToken cancellationToken)
    {
        var run = runs.Find(id);
        if (run is null)
        {
            return NotFound(id);
        }

        var limits = options.Value;
        var horizon = run.HorizonNanoseconds;
        long start = 0;
        if (!string.IsNullOrEmpty(from) && (!long.TryParse(from, NumberStyles.None, CultureInfo.InvariantCulture, out start) || start > MaxTileTime))
        {
            return BadQuery(Msg.Of("api.tiles.from", ("text", ParameterValidator.Clip(from)), ("max", MaxTileTime)));
        }

        var end = Math.Max(horizon, start + 1);
        if (!string.IsNullOrEmpty(to) && (!long.TryParse(to, NumberStyles.None, CultureInfo.InvariantCulture, out end) || end <= start || end > MaxTileTime))
        {
            return BadQuery(Msg.Of("api.tiles.to", ("text", ParameterValidator.Clip(to)), ("from", start), ("max", MaxTileTime)));
        }

        // A run with many lanes gets fewer buckets: the answer's size is buckets × lanes.
        var most = Math.Max(1, Math.Min(limits.MaxTileBuckets, limits.MaxTileCells / Math.Max(1, run.Execution.Actors.Count)));
        var count = Math.Min(limits.TileBuckets, most);
        if (!string.IsNullOrEmpty(buckets)
            && (!int.TryParse(buckets, NumberStyles.None, CultureInfo.InvariantCulture, out count) || count < 1 || count > most))
        {
            return BadQuery(Msg.Of("api.tiles.buckets", ("text", ParameterValidator.Clip(buckets)), ("max", most)));
        }

        // A run still queued has no log yet: its window is empty.
        if (run.Tiles is not { } index)
        {
            return Results.Ok(new TileWindow(start, end, count, [], [], []));
        }

        return Results.Ok(await limiter.RunAsync(() => index.Query(start, end, count, horizon, limits.MaxTileEvents, cancellationToken), cancellationToken));
    }

    // A week in ns: far past any run's deadline, and far from overflowing.
    private const long MaxTileTime = 7L * 24 * 3600 * 1_000_000_000;

    /// <summary>A cursor is one position per actor, "12.0.40": where the next page starts in each actor's log.</summary>
    private static bool TryParseCursor(string text, EventRecorder? recorder, int[] cursors)
    {
        if (text.Length > cursors.Length * 11)
        {
            return false;
        }

        var parts = text.Split('.');
        if (parts.Length != cursors.Length)
        {
            return false;
        }

        for (var a = 0; a < parts.Length; a++)
        {
            if (!int.TryParse(parts[a], NumberStyles.None, CultureInfo.InvariantCulture, out var at) || at > (recorder?[a].Count ?? 0))
            {
                return false;
            }

            cursors[a] = at;
        }

        return true;
    }

    private static async Task<IResult> StartRun(HttpContext http, RunManager runs, IOptions<LimitOptions> limits,
        IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions> json, Serilog.IDiagnosticContext diagnostics)
    {
        if (!http.Request.HasJsonContentType())
        {
            return Results.Problem(statusCode: StatusCodes.Status415UnsupportedMediaType, title: Msg.Of("api.title.notJson").Format(),
                detail: Msg.Of("api.unreadableBody").Format());
        }

        // Refused before parsing: a declared length over the cap is never read, and a chunked body
        // is read only up to it.
        var max = limits.Value.MaxRequestBodyBytes;
        var bytes = await RequestBody.ReadAsync(http, max);
        if (bytes is null)
        {
            return Results.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: Msg.Of("api.title.bodyTooLarge").Format(),
                detail: Msg.Of("api.bodyTooLarge", ("max", max)).Format());
        }

        RunRequestDto? body;
        try
        {
            body = bytes.Value.Length == 0 ? null : JsonSerializer.Deserialize<RunRequestDto>(bytes.Value.Span, json.Value.SerializerOptions);
        }
        catch (JsonException)
        {
            return Results.Problem(statusCode: 400, title: Msg.Of("api.title.unreadableBody").Format(), detail: Msg.Of("api.unreadableBody").Format());
        }

        if (body is null || body.Parameters.ValueKind is not (JsonValueKind.Object or JsonValueKind.Null or JsonValueKind.Undefined))
        {
            if (body is not null)
            {
                return Results.Problem(statusCode: 400, title: Msg.Of("api.title.unreadableBody").Format(), detail: Msg.Of("api.unreadableBody").Format());
            }

            return Results.Problem(statusCode: 400, title: Msg.Of("api.title.missingBody").Format(), detail: Msg.Of("api.missingBody").Format());
        }

        // More names than the scenario has knobs is refused in one message, before any is looked at.
        var hasParameters = body.Parameters.ValueKind == JsonValueKind.Object;
        var given = hasParameters ? body.Parameters.EnumerateObject().Count() : 0;
        var scenario = runs.Scenarios.TryGet(body.Scenario ?? "", out var found) ? found.Descriptor : null;
        var most = scenario?.Parameters.Count ?? runs.Scenarios.Scenarios.Max(s => s.Descriptor.Parameters.Count);
        if (given > most)
        {
            return Validation([ParameterValidator.TooMany(scenario, given, most)]);
        }

        var errors = new List<ParameterError>();
        var raw = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (var property in hasParameters ? body.Parameters.EnumerateObject() : [])
        {
            var (name, value) = (property.Name, property.Value);
            switch (value.ValueKind)
            {
                case JsonValueKind.Number:
                    raw[name] = value.GetRawText();
                    break;
                case JsonValueKind.String:
                    raw[name] = value.GetString();
                    break;
                default:
                    errors.Add(new ParameterError(ParameterValidator.Clip(name), Msg.Of("api.notNumberOrString", ("field", ParameterValidator.Clip(name)), ("kind", value.ValueKind.ToString().ToLowerInvariant()))));
                    break;
            }
        }

        if (errors.Count > 0)
        {
            return Validation(errors);
        }

        var result = runs.Start(new RunStartRequest(body.Scenario ?? "", raw), http.Owner());
        switch (result.Refusal)
        {
            case StartRefusal.None:
                var info = result.Run!;
                diagnostics.Set("RunId", info.Id);
                diagnostics.Set("Scenario", info.Scenario);
                return Results.Accepted($"/api/runs/{info.Id}", new { info.Id, info.State, info.QueuePosition });
            case StartRefusal.Invalid:
                return Validation(result.Errors);
            case StartRefusal.Busy:
                var seconds = (int)Math.Ceiling((result.RetryAfter ?? TimeSpan.FromSeconds(5)).TotalSeconds);
                http.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
                return Results.Problem(statusCode: StatusCodes.Status429TooManyRequests, title: Msg.Of("api.title.busy").Format(), detail: result.Message?.Format());
            default:
                return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: Msg.Of("api.title.tooLarge").Format(), detail: result.Message?.Format());
        }
    }

    private static IResult Validation(IEnumerable<ParameterError> errors) =>
        Results.ValidationProblem(
            errors.GroupBy(e => e.Field).ToDictionary(g => g.Key, g => g.Select(e => e.Message).ToArray()),
            title: Msg.Of("api.title.invalid").Format());

    private static IResult BadQuery(Msg detail) =>
        Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: Msg.Of("api.title.badQuery").Format(), detail: detail.Format());

    /// <summary>The answer for an id the server does not know (or never made): every run endpoint gives the same.</summary>
    internal static IResult NotFound(string id) =>
        Results.Problem(statusCode: StatusCodes.Status404NotFound, title: Msg.Of("api.title.unknownRun").Format(),
            detail: Msg.Of("api.unknownRun", ("id", ParameterValidator.Clip(id))).Format());
}
