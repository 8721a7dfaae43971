using Serilog;

namespace Playground.Server.Runs;

/// <summary>Adds RunId (or BatchId) and Scenario to the request log line of every request about a run or a batch.</summary>
public static class RunLogContext
{
    public static void Enrich(IDiagnosticContext diagnostics, HttpContext http)
    {
        if (http.Request.Path.StartsWithSegments("/api/runs")
            && http.Request.RouteValues.TryGetValue("id", out var value) && value is string id
            && http.RequestServices.GetRequiredService<RunManager>().Find(id) is { } run)
        {
            diagnostics.Set("RunId", run.Id);
            diagnostics.Set("Scenario", run.Scenario.Descriptor.Id);
        }
        else if (http.Request.Path.StartsWithSegments("/api/batches")
            && http.Request.RouteValues.TryGetValue("id", out var batchValue) && batchValue is string batchId
            && http.RequestServices.GetRequiredService<Batches.BatchManager>().Find(batchId) is { } batch)
        {
            diagnostics.Set("BatchId", batch.Id);
            diagnostics.Set("Scenario", batch.Scenario);
        }
    }
}
