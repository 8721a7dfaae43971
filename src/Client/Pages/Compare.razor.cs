using System.Globalization;
using Microsoft.AspNetCore.Components;
using Playground.Client.Services;
using Playground.Shared.Catalog;
using Playground.Shared.Runs;
using Playground.Shared.Text;

namespace Playground.Client.Pages;

/// <summary>
/// Two runs side by side (<c>/compare?a=…&amp;b=…</c>): their timelines on one time axis, zoomed and
/// panned together, their summaries, and what differs — wall time, throughput, verdict, settings.
/// </summary>
public sealed partial class Compare : IAsyncDisposable
{
    [CascadingParameter(Name = "Dark")] private bool Dark { get; set; }

    [Inject] private IRunService Runs { get; set; } = default!;
    [Inject] private NavigationManager Navigation { get; set; } = default!;

    private sealed class Side(RunInfo run, ScenarioDescriptor scenario, LiveWatch<RunInfo> watch)
    {
        public RunInfo Run { get; set; } = run;
        public ScenarioDescriptor Scenario { get; } = scenario;
        public LiveWatch<RunInfo> Watch { get; } = watch;
    }

    private readonly List<Side> _sides = [];
    private readonly List<string> _problems = [];
    private string? _firstText;
    private string? _secondText;
    private string? _loadedQuery;

    protected override async Task OnParametersSetAsync()
    {
        var query = Navigation.ToAbsoluteUri(Navigation.Uri).Query;
        if (string.Equals(query, _loadedQuery, StringComparison.Ordinal))
        {
            return;
        }

        _loadedQuery = query;
        foreach (var side in _sides)
        {
            await side.Watch.DisposeAsync();
        }

        _sides.Clear();
        _problems.Clear();
        var a = QueryText.Value(query, CompareLink.First);
        var b = QueryText.Value(query, CompareLink.Second);
        _firstText = a;
        _secondText = b;
        if (a is null && b is null)
        {
            return;
        }

        foreach (var (key, text) in new[] { ("pair.first", a), ("pair.second", b) })
        {
            if (Load(key, text) is { } side)
            {
                _sides.Add(side);
            }
        }

        if (_sides.Count == 2 && _sides[0].Run.Id == _sides[1].Run.Id)
        {
            _problems.Add(L["pair.same"]);
        }
    }

    /// <summary>The run a link names, watched while it runs; null (and a problem said) when it names none.</summary>
    private Side? Load(string which, string? text)
    {
        var id = CompareLink.RunIdIn(text);
        if (id is null)
        {
            _problems.Add(string.IsNullOrWhiteSpace(text)
                ? L.Format("pair.missingLink", ("which", L[which]))
                : L.Format("pair.bad", ("which", L[which]), ("text", Clip(text!))));
            return null;
        }

        if (Runs.Get(id) is not { } run || Runs.Scenarios.FirstOrDefault(s => s.Id == run.Scenario) is not { } scenario)
        {
            _problems.Add(L.Format("pair.unknown", ("which", L[which]), ("id", id)));
            return null;
        }

        var side = new Side(run, scenario, new LiveWatch<RunInfo>(InvokeAsync, StateHasChanged));
        if (!run.State.IsFinal())
        {
            side.Watch.Start(ct => Runs.WatchAsync(id, ct), info => side.Run = info,
                ex => _problems.Add(L.Format("play.lostTrack", ("error", ex.Message))));
        }

        return side;
    }

    /// <summary>The two runs with their letters, A and B.</summary>
    private IEnumerable<(Side Side, string Letter)> Lettered => _sides.Select((side, i) => (side, i == 0 ? "A" : "B"));

    private static string Clip(string text) => text.Length > 60 ? text[..60] + "…" : text;

    private void CompareTyped()
    {
        var a = CompareLink.RunIdIn(_firstText) ?? _firstText?.Trim() ?? "";
        var b = CompareLink.RunIdIn(_secondText) ?? _secondText?.Trim() ?? "";
        Navigation.NavigateTo(CompareLink.Of(a, b));
    }

    private string Wall(RunInfo run) => run.Summary is { } s ? L.Duration(s.WallMs) : L["pair.running"];

    private string Throughput(RunInfo run) => run.Summary is { } s ? $"{UiText.Number(Math.Round(s.Throughput, 2))} {s.ThroughputUnit.Format()}" : "–";

    private string Verdict(RunInfo run) => run.Summary is { } s ? (s.Verdict.Held ? L["pair.held"] : L["pair.violated"]) : "–";

    /// <summary>"2.4× as long", "1.8× faster": how B's wall time stands against A's.</summary>
    private string WallRatio(RunInfo a, RunInfo b)
    {
        if (a.Summary is not { WallMs: > 0 } sa || b.Summary is not { WallMs: > 0 } sb)
        {
            return "";
        }

        var ratio = sb.WallMs / sa.WallMs;
        return Math.Abs(ratio - 1) < 0.02 ? L["pair.aboutSame"]
            : ratio > 1 ? L.Format("pair.slower", ("ratio", Ratio(ratio)))
            : L.Format("pair.faster", ("ratio", Ratio(1 / ratio)));
    }

    private string ThroughputRatio(RunInfo a, RunInfo b) =>
        a.Summary is { Throughput: > 0 } sa && b.Summary is { } sb && sa.ThroughputUnit.Key == sb.ThroughputUnit.Key
            ? L.Format("pair.times", ("ratio", Ratio(sb.Throughput / sa.Throughput)))
            : "";

    private static string Ratio(double ratio) => ratio.ToString(ratio >= 10 ? "0" : "0.##", CultureInfo.CurrentCulture);

    /// <summary>The knobs the two runs set differently, as the pages label them (both runs of one scenario only).</summary>
    private IEnumerable<(string Label, string A, string B)> DifferingSettings
    {
        get
        {
            if (_sides.Count < 2 || _sides[0].Scenario.Id != _sides[1].Scenario.Id)
            {
                yield break;
            }

            var scenario = _sides[0].Scenario;
            var a = RunSettingsText.TextOfRun(_sides[0].Run);
            var b = RunSettingsText.TextOfRun(_sides[1].Run);
            foreach (var spec in scenario.Parameters)
            {
                if (a.TryGetValue(spec.Name, out var va) && b.TryGetValue(spec.Name, out var vb) && !string.Equals(va, vb, StringComparison.Ordinal))
                {
                    yield return (RunSettingsText.Label(scenario, spec.Name), RunSettingsText.DisplayValue(scenario, spec, va), RunSettingsText.DisplayValue(scenario, spec, vb));
                }
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var side in _sides)
        {
            await side.Watch.DisposeAsync();
        }
    }
}
