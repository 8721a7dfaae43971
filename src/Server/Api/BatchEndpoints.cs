using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Playground.Server.Batches;
using Playground.Server.Identity;
using Playground.Server.Limits;
using Playground.Server.Runs;
using Playground.Shared.Parameters;
using Playground.Shared.Runs;
using Playground.Shared.Text;

namespace Playground.Server.Api;

/// <summary>
/// The body of POST /api/batches. Each part stays one JSON element until it is counted and its
/// type checked, so a flood of names or values is refused before any is copied, and a value of
/// the wrong type is named rather than making the whole body unreadable.
/// </summary>
public sealed record BatchRequestDto(string? Scenario, JsonElement Parameters, JsonElement Vary, JsonElement Repeat);

public static class BatchEndpoints
{
    public static IEndpointRouteBuilder MapBatchApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/batches").WithTags("Batches");
        // A batch start counts as one start against the same limit as a run start.
        group.MapPost("/", StartBatch).RequireRateLimiting(RunStartRateLimiting.Policy);
        // Only the caller's own batches; anyone may still read a batch whose id they have.
        group.MapGet("/", (BatchManager batches, HttpContext http) => batches.List(http.Owner()).Select(b => b.ToInfo()).ToList());
        group.MapGet("/{id}", (string id, BatchManager batches) =>
            batches.Find(id) is { } batch ? Results.Ok(batch.ToInfo()) : NotFound(id));
        group.MapDelete("/{id}", CancelBatch);
        return app;
    }

    private static IResult CancelBatch(string id, BatchManager batches, HttpContext http)
    {
        var batch = batches.Find(id);
        if (batch is null)
        {
            return NotFound(id);
        }

        return batches.Cancel(id, http.Owner()) switch
        {
            CancelOutcome.Cancelled => Results.Accepted($"/api/batches/{id}", batch.ToInfo()),
            CancelOutcome.NotOwner => Results.Problem(statusCode: StatusCodes.Status403Forbidden, title: Msg.Of("api.title.notOwnerBatch").Format(),
                detail: Msg.Of("batch.notOwner", ("id", id)).Format()),
            CancelOutcome.Unknown => NotFound(id),
            _ => Results.Problem(statusCode: StatusCodes.Status409Conflict, title: Msg.Of("api.title.batchEnded").Format(),
                detail: Msg.Of("api.batchEnded", ("id", id), ("state", Msg.Of("state." + batch.State.ToString().ToLowerInvariant()))).Format()),
        };
    }

    private static async Task<IResult> StartBatch(HttpContext http, BatchManager batches, RunManager runs, IOptions<LimitOptions> limits,
        IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions> json, Serilog.IDiagnosticContext diagnostics)
    {
        if (!http.Request.HasJsonContentType())
        {
            return Results.Problem(statusCode: StatusCodes.Status415UnsupportedMediaType, title: Msg.Of("api.title.notJson").Format(),
                detail: Msg.Of("api.batchUnreadableBody").Format());
        }

        var max = limits.Value.MaxRequestBodyBytes;
        var bytes = await RequestBody.ReadAsync(http, max);
        if (bytes is null)
        {
            return Results.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: Msg.Of("api.title.bodyTooLarge").Format(),
                detail: Msg.Of("api.bodyTooLarge", ("max", max)).Format());
        }

        BatchRequestDto? body;
        try
        {
            body = bytes.Value.Length == 0 ? null : JsonSerializer.Deserialize<BatchRequestDto>(bytes.Value.Span, json.Value.SerializerOptions);
        }
        catch (JsonException)
        {
            return Unreadable();
        }

        if (body is null)
        {
            return Results.Problem(statusCode: 400, title: Msg.Of("api.title.missingBody").Format(), detail: Msg.Of("api.batchUnreadableBody").Format());
        }

        var scenario = runs.Scenarios.TryGet(body.Scenario ?? "", out var found) ? found.Descriptor : null;
        var mostKnobs = scenario?.Parameters.Count ?? runs.Scenarios.Scenarios.Max(s => s.Descriptor.Parameters.Count);
        var errors = new List<ParameterError>();
        var parameters = Parameters(body.Parameters, scenario, mostKnobs, errors);
        var vary = Vary(body.Vary, scenario, mostKnobs, batches.Options.MaxCombinations, errors);
        var repeat = Repeat(body.Repeat, batches.Options.MaxRepeat, errors);
        if (errors.Count > 0)
        {
            return Validation(errors);
        }

        var result = batches.Start(new BatchStartRequest(body.Scenario ?? "", parameters, vary, repeat), http.Owner());
        switch (result.Refusal)
        {
            case StartRefusal.None:
                var info = result.Batch!;
                diagnostics.Set("BatchId", info.Id);
                diagnostics.Set("Scenario", info.Scenario);
                return Results.Accepted($"/api/batches/{info.Id}", info);
            case StartRefusal.Invalid:
                return Validation(result.Errors);
            case StartRefusal.Busy:
                var seconds = (int)Math.Ceiling((result.RetryAfter ?? TimeSpan.FromSeconds(10)).TotalSeconds);
                http.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
                return Results.Problem(statusCode: StatusCodes.Status429TooManyRequests, title: Msg.Of("api.title.batchBusy").Format(), detail: result.Message?.Format());
            default:
                return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: Msg.Of("api.title.tooLarge").Format(), detail: result.Message?.Format());
        }
    }

    /// <summary>The fixed knobs, as for a run: numbers or strings, no more names than the scenario has.</summary>
    private static Dictionary<string, string?>? Parameters(JsonElement element, Shared.Catalog.ScenarioDescriptor? scenario, int most, List<ParameterError> errors)
    {
        if (element.ValueKind is JsonValueKind.Undefined or JsonValueKind.Null)
        {
            return null;
        }

        if (element.ValueKind != JsonValueKind.Object)
        {
            errors.Add(new ParameterError("parameters", Msg.Of("api.batchNotObject", ("field", "parameters"), ("kind", Kind(element)))));
            return null;
        }

        var given = element.EnumerateObject().Count();
        if (given > most)
        {
            errors.Add(ParameterValidator.TooMany(scenario, given, most));
            return null;
        }

        var raw = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (var property in element.EnumerateObject())
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
                    errors.Add(new ParameterError(ParameterValidator.Clip(name), Msg.Of("api.notNumberOrString", ("field", ParameterValidator.Clip(name)), ("kind", Kind(value)))));
                    break;
            }
        }

        return raw;
    }

    /// <summary>
    /// The varied knobs: an object of lists of strings. Too many names, or a list longer than a
    /// batch has combinations, is one error, found by counting before anything is copied.
    /// </summary>
    private static Dictionary<string, IReadOnlyList<string>>? Vary(JsonElement element, Shared.Catalog.ScenarioDescriptor? scenario, int most, int maxCombinations, List<ParameterError> errors)
    {
        if (element.ValueKind is JsonValueKind.Undefined or JsonValueKind.Null)
        {
            return null;
        }

        if (element.ValueKind != JsonValueKind.Object)
        {
            errors.Add(new ParameterError("vary", Msg.Of("api.batchNotObject", ("field", "vary"), ("kind", Kind(element)))));
            return null;
        }

        var given = element.EnumerateObject().Count();
        if (given > most)
        {
            errors.Add(new ParameterError("vary", Msg.Of("batch.varyTooMany", ("count", given), ("max", most), ("scenario", scenario?.Id ?? "?"),
                ("choices", scenario is null ? "" : string.Join(", ", scenario.Parameters.Where(p => p.Type == ParameterType.Choice).Select(p => p.Name))))));
            return null;
        }

        var vary = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        foreach (var property in element.EnumerateObject())
        {
            var field = "vary." + ParameterValidator.Clip(property.Name);
            var list = property.Value;
            if (list.ValueKind != JsonValueKind.Array)
            {
                errors.Add(new ParameterError(field, Msg.Of("api.varyNotList", ("field", ParameterValidator.Clip(property.Name)), ("kind", Kind(list)))));
                continue;
            }

            var count = list.GetArrayLength();
            if (count > maxCombinations)
            {
                errors.Add(new ParameterError(field, Msg.Of("api.varyTooLong", ("field", ParameterValidator.Clip(property.Name)), ("count", count), ("max", maxCombinations))));
                continue;
            }

            var values = new List<string>(count);
            foreach (var item in list.EnumerateArray())
            {
                if (item.ValueKind != JsonValueKind.String)
                {
                    errors.Add(new ParameterError(field, Msg.Of("api.varyNotString", ("field", ParameterValidator.Clip(property.Name)), ("kind", Kind(item)))));
                    break;
                }

                values.Add(item.GetString()!);
            }

            vary[property.Name] = values;
        }

        return vary;
    }

    private static int Repeat(JsonElement element, int max, List<ParameterError> errors)
    {
        var text = element.ValueKind switch
        {
            JsonValueKind.Number => element.GetRawText(),
            JsonValueKind.String => element.GetString() ?? "",
            _ => null,
        };

        if (text is null)
        {
            errors.Add(new ParameterError("repeat", element.ValueKind is JsonValueKind.Undefined or JsonValueKind.Null
                ? Msg.Of("api.repeatMissing", ("max", max))
                : Msg.Of("api.notNumberOrString", ("field", "repeat"), ("kind", Kind(element)))));
            return 0;
        }

        if (!int.TryParse(ParameterValidator.Normalize(text), NumberStyles.None, CultureInfo.InvariantCulture, out var repeat))
        {
            errors.Add(new ParameterError("repeat", Msg.Of("batch.repeat", ("max", max), ("text", ParameterValidator.Clip(text)))));
            return 0;
        }

        return repeat;
    }

    private static string Kind(JsonElement element) => element.ValueKind.ToString().ToLowerInvariant();

    private static IResult Unreadable() =>
        Results.Problem(statusCode: 400, title: Msg.Of("api.title.unreadableBody").Format(), detail: Msg.Of("api.batchUnreadableBody").Format());

    private static IResult Validation(IEnumerable<ParameterError> errors) =>
        Results.ValidationProblem(
            errors.GroupBy(e => e.Field).ToDictionary(g => g.Key, g => g.Select(e => e.Message).ToArray()),
            title: Msg.Of("api.title.invalidBatch").Format());

    private static IResult NotFound(string id) =>
        Results.Problem(statusCode: StatusCodes.Status404NotFound, title: Msg.Of("api.title.unknownBatch").Format(),
            detail: Msg.Of("api.unknownBatch", ("id", ParameterValidator.Clip(id))).Format());
}
