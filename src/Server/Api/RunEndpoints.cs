using System.Globalization;
using System.Text.Json;
using Playground.Server.Runs;
using Playground.Shared.Parameters;
using Playground.Shared.Runs;
using Playground.Shared.Text;

namespace Playground.Server.Api;

/// <summary>The body of POST /api/runs. Parameter values may be JSON numbers or strings.</summary>
public sealed record RunRequestDto(string? Scenario, Dictionary<string, JsonElement>? Parameters);

public static class RunEndpoints
{
    public const string ClientIdHeader = "X-Client-Id";

    public static IEndpointRouteBuilder MapRunApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/runs").WithTags("Runs");
        group.MapPost("/", StartRun);
        group.MapGet("/", (RunManager runs) => runs.List().Select(r => r.ToInfo()).ToList());
        group.MapGet("/{id}", (string id, RunManager runs) =>
            runs.Find(id) is { } run ? Results.Ok(run.ToInfo()) : NotFound(id));
        group.MapDelete("/{id}", (string id, RunManager runs) =>
        {
            var run = runs.Find(id);
            if (run is null)
            {
                return NotFound(id);
            }

            if (!runs.Cancel(id))
            {
                return Results.Problem(statusCode: StatusCodes.Status409Conflict, title: Msg.Of("api.title.runEnded").Format(),
                    detail: Msg.Of("api.runEnded", ("id", id), ("state", Msg.Of("state." + run.ToInfo().State.ToString().ToLowerInvariant()))).Format());
            }

            return Results.Accepted($"/api/runs/{id}", run.ToInfo());
        });
        group.MapGet("/{id}/events", (string id, RunManager runs) =>
        {
            var run = runs.Find(id);
            if (run?.Recorder is not { } recorder)
            {
                return run is null ? NotFound(id) : Results.Ok(Array.Empty<object>());
            }

            // Serialized lazily, straight into the response.
            return Results.Ok(recorder.Enumerate().Select(e => recorder.ToDto(e)));
        });
        return app;
    }

    private static IResult StartRun(RunRequestDto? body, RunManager runs, HttpContext http, Serilog.IDiagnosticContext diagnostics)
    {
        if (body is null)
        {
            return Results.Problem(statusCode: 400, title: Msg.Of("api.title.missingBody").Format(), detail: Msg.Of("api.missingBody").Format());
        }

        var errors = new List<ParameterError>();
        var raw = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, value) in body.Parameters ?? [])
        {
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

        var result = runs.Start(new RunStartRequest(body.Scenario ?? "", raw), ClientId(http));
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

    private static IResult NotFound(string id) =>
        Results.Problem(statusCode: StatusCodes.Status404NotFound, title: Msg.Of("api.title.unknownRun").Format(),
            detail: Msg.Of("api.unknownRun", ("id", ParameterValidator.Clip(id))).Format());

    /// <summary>Who a run belongs to for the per-client cap: a header the caller sets, else its address.</summary>
    internal static string ClientId(HttpContext http)
    {
        var header = http.Request.Headers[ClientIdHeader].ToString();
        return header is { Length: > 0 and <= 64 }
            ? "api:" + header
            : "ip:" + (http.Connection.RemoteIpAddress?.ToString() ?? "unknown");
    }
}
