using System.Globalization;
using Microsoft.Extensions.Options;
using Playground.Server.Identity;
using Playground.Server.Limits;
using Playground.Server.Runs;
using Playground.Server.Storage;
using Playground.Shared.Parameters;
using Playground.Shared.Runs;
using Playground.Shared.Text;

namespace Playground.Server.Api;

/// <summary>
/// Saving runs and the saved ones: POST /api/runs/{id}/save, GET /api/saved-runs (the caller's own),
/// GET and DELETE /api/saved-runs/{id}. A saved run is read, like a live one, through
/// /api/runs/{id}, /events and /tiles with the same id, after a restart too.
/// </summary>
public static class SavedRunEndpoints
{
    public static IEndpointRouteBuilder MapSavedRunApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/runs/{id}/save", SaveRun).WithTags("Saved runs").RequireRateLimiting(RunStartRateLimiting.SavePolicy);
        var group = app.MapGroup("/api/saved-runs").WithTags("Saved runs");
        // Only the caller's own saved runs; anyone may still read a run whose id they have.
        group.MapGet("/", ListSavedRuns);
        group.MapGet("/{id}", (string id, SavedRuns saved) => saved.Get(id) is { } info ? Results.Ok(info) : NotSaved(id));
        group.MapDelete("/{id}", DeleteSavedRun);
        return app;
    }

    /// <summary>
    /// 201 with the saved run the first time, 200 with the same body every later time; 403 for
    /// someone else's run, 409 while it has not ended, 422 when its log is over the cap.
    /// </summary>
    private static async Task<IResult> SaveRun(string id, HttpContext http, RunManager runs, SavedRuns saved, IOptions<LimitOptions> limits)
    {
        // The save takes no body; one is still read only up to the cap.
        if (await RequestBody.ReadAsync(http, limits.Value.MaxRequestBodyBytes) is null)
        {
            return Results.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: Msg.Of("api.title.bodyTooLarge").Format(),
                detail: Msg.Of("api.bodyTooLarge", ("max", limits.Value.MaxRequestBodyBytes)).Format());
        }

        if (!RunIds.IsWellFormed(id) || runs.Find(id) is not { } run)
        {
            return RunEndpoints.NotFound(id);
        }

        var result = await saved.SaveAsync(run, http.Owner(), http.RequestAborted);
        var location = "/api/saved-runs/" + id;
        return result.Outcome switch
        {
            SaveOutcome.Created => Results.Created(location, result.Saved),
            SaveOutcome.AlreadySaved => Ok(http, location, result.Saved),
            SaveOutcome.NotOwner => Results.Problem(statusCode: StatusCodes.Status403Forbidden, title: Msg.Of("api.title.notOwner").Format(),
                detail: result.Reason?.Format()),
            SaveOutcome.TooLarge => Results.Problem(statusCode: StatusCodes.Status422UnprocessableEntity, title: Msg.Of("api.title.tooLargeToSave").Format(),
                detail: result.Reason?.Format()),
            SaveOutcome.NotFinished => Results.Problem(statusCode: StatusCodes.Status409Conflict, title: Msg.Of("api.title.notFinished").Format(),
                detail: result.Reason?.Format()),
            _ => Results.Problem(statusCode: StatusCodes.Status409Conflict, title: Msg.Of("api.title.saveConflict").Format(),
                detail: result.Reason?.Format()),
        };
    }

    private static IResult Ok(HttpContext http, string location, SavedRunInfo? body)
    {
        http.Response.Headers.Location = location;
        return Results.Ok(body);
    }

    private static IResult ListSavedRuns(string? scenario, string? page, string? size, HttpContext http, RunManager runs, SavedRuns saved,
        IOptions<LimitOptions> options)
    {
        var limits = options.Value;
        string? scenarioId = null;
        if (!string.IsNullOrEmpty(scenario))
        {
            if (!runs.Scenarios.TryGet(scenario, out var found))
            {
                var known = string.Join(", ", runs.Scenarios.Scenarios.Select(s => s.Descriptor.Id));
                return BadQuery(Msg.Of("api.savedRuns.scenario", ("text", ParameterValidator.Clip(scenario)), ("known", known)));
            }

            scenarioId = found.Descriptor.Id;
        }

        var number = 1;
        if (!string.IsNullOrEmpty(page)
            && (!int.TryParse(page, NumberStyles.None, CultureInfo.InvariantCulture, out number) || number < 1 || number > MaxPage))
        {
            return BadQuery(Msg.Of("api.savedRuns.page", ("text", ParameterValidator.Clip(page)), ("max", MaxPage)));
        }

        var count = limits.SavedRunsPageSize;
        if (!string.IsNullOrEmpty(size)
            && (!int.TryParse(size, NumberStyles.None, CultureInfo.InvariantCulture, out count) || count < 1 || count > limits.MaxSavedRunsPageSize))
        {
            return BadQuery(Msg.Of("api.savedRuns.size", ("text", ParameterValidator.Clip(size)), ("max", limits.MaxSavedRunsPageSize)));
        }

        return Results.Ok(saved.List(scenarioId, http.Owner(), number, count));
    }

    // Far past any listing's length, and far from overflowing an offset.
    private const int MaxPage = 100_000;

    /// <summary>204 once deleted; 403 for someone else's saved run; 404 for no saved run with this id.</summary>
    private static IResult DeleteSavedRun(string id, HttpContext http, RunManager runs, SavedRuns saved) =>
        saved.Delete(id, http.Owner()) switch
        {
            DeleteOutcome.Deleted => Unsaved(id, runs),
            DeleteOutcome.NotOwner => Results.Problem(statusCode: StatusCodes.Status403Forbidden, title: Msg.Of("api.title.notOwner").Format(),
                detail: Msg.Of("save.notOwnerDelete", ("id", id)).Format()),
            _ => NotSaved(id),
        };

    private static IResult Unsaved(string id, RunManager runs)
    {
        // The run may still be live in memory: it is no longer saved.
        runs.FindLive(id)?.MarkSaved(null);
        return Results.NoContent();
    }

    private static IResult BadQuery(Msg detail) =>
        Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: Msg.Of("api.title.badQuery").Format(), detail: detail.Format());

    private static IResult NotSaved(string id) =>
        Results.Problem(statusCode: StatusCodes.Status404NotFound, title: Msg.Of("api.title.unknownSavedRun").Format(),
            detail: Msg.Of("api.unknownSavedRun", ("id", ParameterValidator.Clip(id))).Format());
}
