using Playground.Server.Runs;
using Playground.Shared.Catalog;
using Playground.Shared.Parameters;
using Playground.Shared.Text;

namespace Playground.Server.Api;

/// <summary>A knob as the API describes it.</summary>
public sealed record ParameterDto(
    string Name,
    string Label,
    string Type,
    object Default,
    double? Min,
    double? Max,
    double? Step,
    string? Unit,
    IReadOnlyList<string>? Options,
    IReadOnlyList<ParameterOption>? Choices,
    string Description,
    string? Hint,
    bool Advanced);

/// <summary>A scenario as the API describes it.</summary>
/// <param name="ModeParameter">The knob that picks where the actors run: "mode", or the scenario's own ("executor").</param>
/// <param name="HostModes">For a knob of the scenario's own: the mode (threads, processes, async) each of its options runs in; null for "mode".</param>
public sealed record ScenarioDto(
    string Id,
    string Name,
    string NameZh,
    string Summary,
    bool Available,
    IReadOnlyList<string> Modes,
    IReadOnlyList<ParameterDto> Parameters,
    IReadOnlyList<GaugeDto> Gauges,
    BatchDto? Batch,
    string ModeParameter,
    IReadOnlyDictionary<string, string>? HostModes,
    IReadOnlyList<ComparisonDto> Comparisons);

/// <summary>A quantity the scenario charts over time; its label is in the caller's language.</summary>
public sealed record GaugeDto(string Id, string Resource, string Style, string? LimitParameter, string Label);

/// <summary>What a batch of repeated runs compares by default: the knob it varies and the run metric it averages.</summary>
public sealed record BatchDto(string Vary, string Measure, string MeasureLabel);

/// <summary>
/// A comparison the page offers in one click, to be started as a batch (POST /api/batches) that
/// varies <paramref name="Vary"/> (a sweep: from 1 up, crossed with options of <paramref name="Series"/>;
/// a ratio: the two <paramref name="Values"/>).
/// </summary>
public sealed record ComparisonDto(string Id, string Chart, string Title, string Vary, IReadOnlyList<string> Values, string? Series, IReadOnlyList<string> SeriesOptions, IReadOnlyList<string> Metrics);

public static class ScenarioEndpoints
{
    public static IEndpointRouteBuilder MapScenarioApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/scenarios").WithTags("Scenarios");
        group.MapGet("/", (ScenarioGallery gallery) => gallery.Scenarios.Select(ToDto).ToList());
        group.MapGet("/{id}", (string id, ScenarioGallery gallery) =>
            gallery.Scenarios.FirstOrDefault(s => string.Equals(s.Id, id, StringComparison.OrdinalIgnoreCase)) is { } s
                ? Results.Ok(ToDto(s))
                : Results.Problem(statusCode: StatusCodes.Status404NotFound, title: Msg.Of("api.title.unknownScenario").Format(),
                    detail: Msg.Of("api.unknownScenario", ("id", ParameterValidator.Clip(id))).Format()));
        return app;
    }

    public static ScenarioDto ToDto(ScenarioDescriptor s) => new(
        s.Id, s.Name, s.NameZh, s.Summary, s.Available, s.Modes,
        s.Parameters.Select(p => new ParameterDto(
            p.Name, p.Label, p.TypeName, p.DefaultValue, p.Min, p.Max, p.Step, p.Unit,
            p.Type == ParameterType.Choice ? p.Options.Select(o => o.Value).ToList() : null,
            p.Type == ParameterType.Choice ? p.Options : null,
            p.Description, p.Hint, p.Advanced)).ToList(),
        s.Gauges.Select(g => new GaugeDto(g.Id, g.Resource, g.Style == GaugeStyle.Band ? "band" : "step", g.LimitParameter,
            Msg.Of(g.LabelKey(s.Id)).Format())).ToList(),
        s.Batch is { } batch ? new BatchDto(batch.Vary, batch.Measure, Msg.Of(batch.MeasureKey(s.Id)).Format()) : null,
        s.ModeParameter,
        s.HostModes.Count > 0 ? s.HostModes : null,
        [.. s.Comparisons.Select(c => new ComparisonDto(c.Id, c.Chart == ComparisonChart.Speedup ? "speedup" : "ratio", Msg.Of(c.TitleKey(s.Id)).Format(),
            c.Vary, c.Values, c.Series, c.SeriesOptions, c.Metrics))]);
}
