using System.Globalization;
using Microsoft.AspNetCore.Components;
using Microsoft.JSInterop;
using MudBlazor;
using Playground.Client.Services;
using Playground.Shared.Catalog;
using Playground.Shared.Parameters;
using Playground.Shared.Runs;
using Playground.Shared.Text;

namespace Playground.Client.Components.Comparisons;

/// <summary>
/// The one-click comparisons of a scenario (<see cref="ScenarioDescriptor.Comparisons"/>): for the
/// one picked, its few controls, Start with the form's setup, progress with Cancel, the chart and
/// table filling in as its runs end, and a link to the result. Each is a batch of the batch
/// runner, so it is bounded, queued and owned like any batch. Nothing here knows a scenario.
/// </summary>
public sealed partial class ComparisonPanel : IAsyncDisposable
{
    private const int MaxBatchIdLength = 40;

    [Parameter, EditorRequired] public ScenarioDescriptor Scenario { get; set; } = default!;

    /// <summary>The form's values now (invariant text).</summary>
    [Parameter, EditorRequired] public Func<IReadOnlyDictionary<string, string?>> Values { get; set; } = default!;

    /// <summary>Why the form above cannot be used now, in words; null when it can.</summary>
    [Parameter] public string? FormProblem { get; set; }

    /// <summary>A comparison's result to show when the page opens (from a link): its batch id.</summary>
    [Parameter] public string? InitialBatch { get; set; }

    /// <summary>The comparison to show first (from a link): its id.</summary>
    [Parameter] public string? InitialComparison { get; set; }

    /// <summary>True while the form above may not change (a run of it is on).</summary>
    [Parameter] public bool FormLocked { get; set; }

    /// <summary>Puts a suggested setup into the form (knob → invariant text).</summary>
    [Parameter] public EventCallback<IReadOnlyDictionary<string, string>> OnApply { get; set; }

    [Inject] private IBatchService Batches { get; set; } = default!;
    [Inject] private IRunService Runs { get; set; } = default!;
    [Inject] private NavigationManager Navigation { get; set; } = default!;
    [Inject] private IJSRuntime JS { get; set; } = default!;
    [Inject] private ISnackbar Snackbar { get; set; } = default!;

    private readonly Dictionary<string, Choices> _choices = new(StringComparer.OrdinalIgnoreCase);
    private string? _loadedFor;
    private int _selected;
    private BatchInfo? _batch;
    private bool _mine;
    private string? _goneId;
    private string? _otherId;
    // The estimate the last check of Start made (each combination checked as a run), for the caption beside it.
    private double _estimatedSeconds;
    private BatchStartResult? _refusal;
    private string? _watchError;
    private readonly LiveWatch<BatchInfo> _watch;

    public ComparisonPanel()
    {
        _watch = new LiveWatch<BatchInfo>(InvokeAsync, StateHasChanged);
    }

    private BatchLimits Limits => Batches.Limits;

    private IReadOnlyList<ComparisonSpec> Specs => Scenario.Comparisons;

    private ComparisonSpec Spec => Specs[Math.Clamp(_selected, 0, Specs.Count - 1)];

    private Choices Current => ChoicesOf(Spec);

    private ParameterSpec VaryKnob => Scenario.Find(Spec.Vary)!;

    private ParameterSpec? SeriesKnob => Spec.Series is { } s ? Scenario.Find(s) : null;

    /// <summary>This client's comparison is running: the controls wait for it. Watching someone else's locks nothing.</summary>
    private bool IsActive => _mine && _batch is not null && !_batch.State.IsFinal();

    private bool IsLive => _batch is not null && !_batch.State.IsFinal();

    /// <summary>The batch on screen belongs to the comparison picked now.</summary>
    private bool ShowsBatch => _batch is not null && ComparisonResults.Matches(Spec, _batch);

    /// <summary>The largest value a sweep may reach: the knob's own maximum and what the batch caps leave for every series.</summary>
    private int MaxTop
    {
        get
        {
            var series = Math.Max(1, Current.Series.Count);
            var knobMax = VaryKnob.Max is { } max ? (int)Math.Floor(max) : Limits.MaxCombinations;
            return Math.Max(2, Math.Min(knobMax, Limits.MaxCombinations / series));
        }
    }

    private int? Top =>
        int.TryParse(ParameterValidator.Normalize(Current.TopText), NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= 2 && n <= MaxTop
            ? n
            : null;

    private int? Repeat =>
        int.TryParse(ParameterValidator.Normalize(Current.RepeatText), NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= 1 && n <= Limits.MaxRepeat
            ? n
            : null;

    private string? RepeatError => Repeat is null ? L.Format("batch.blocked.repeat", ("max", Limits.MaxRepeat)) : null;

    private string? TopError => Spec.Chart == ComparisonChart.Speedup && Top is null
        ? L.Format("compare.blocked.top", ("knob", Label(VaryKnob)), ("max", MaxTop))
        : null;

    /// <summary>What the comparison varies now: the swept values (crossed with the ticked series), or the pair.</summary>
    private Dictionary<string, IReadOnlyList<string>> Vary()
    {
        var vary = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        if (Spec.Chart == ComparisonChart.Ratio)
        {
            vary[Spec.Vary] = Spec.Values;
            return vary;
        }

        if (SeriesKnob is { } series)
        {
            // Every round of the batch runs each row once, so all curves fill in at the same pace.
            vary[series.Name] = [.. series.Options.Select(o => o.Value).Where(Current.Series.Contains)];
        }

        vary[Spec.Vary] = [.. Enumerable.Range(1, Top ?? 1).Select(v => v.ToString(CultureInfo.InvariantCulture))];
        return vary;
    }

    private int Combinations => Vary().Values.Aggregate(1, (n, v) => n * v.Count);

    private int TotalRuns => (Repeat ?? 0) * Combinations;

    /// <summary>Each combination checked as a run would be: the time all runs would take, or the first cap one of them breaks.</summary>
    private (double Seconds, string? Limit) Estimate()
    {
        var seconds = 0.0;
        var form = Values();
        foreach (var combination in Cross(Vary()))
        {
            var parameters = new Dictionary<string, string?>(form, StringComparer.OrdinalIgnoreCase);
            foreach (var (name, value) in combination)
            {
                parameters[name] = value;
            }

            if (Unavailable(parameters.GetValueOrDefault(Scenario.ModeParameter)) is { } option)
            {
                return (0, L.Format("compare.blocked.unavailable", ("option", option)));
            }

            var check = Runs.Check(new RunStartRequest(Scenario.Id, parameters));
            if (check is null)
            {
                continue;
            }

            if (check.Limits.Count > 0)
            {
                return (0, L.Format("compare.blocked.limit", ("values", RowLabel(combination)), ("reason", check.Limits[0].Text.Format())));
            }

            seconds += check.EstimatedSeconds * (Repeat ?? 0);
        }

        return (seconds, null);
    }

    /// <summary>Why Start is off, in words; null when it is on.</summary>
    private string? BlockedReason
    {
        get
        {
            if (IsActive)
            {
                return "";
            }

            if (FormProblem is not null)
            {
                return FormProblem;
            }

            if (Repeat is null)
            {
                return RepeatError;
            }

            if (TopError is { } top)
            {
                return top;
            }

            if (SeriesKnob is { } series && Current.Series.Count == 0)
            {
                return L.Format("compare.blocked.series", ("knob", Label(series)));
            }

            if (Combinations > Limits.MaxCombinations || TotalRuns > Limits.MaxRuns)
            {
                return L.Format("batch.blocked.tooMany", ("total", TotalRuns), ("max", Limits.MaxRuns), ("combinations", Limits.MaxCombinations));
            }

            var (seconds, limit) = Estimate();
            _estimatedSeconds = seconds;
            if (limit is not null)
            {
                return limit;
            }

            return seconds > Limits.MaxSeconds
                ? L.Format("batch.blocked.tooLong", ("duration", L.Duration(seconds * 1000)), ("max", L.Duration(Limits.MaxSeconds * 1000)))
                : null;
        }
    }

    protected override async Task OnParametersSetAsync()
    {
        if (_loadedFor == Scenario.Id)
        {
            return;
        }

        await _watch.StopAsync();
        _loadedFor = Scenario.Id;
        _choices.Clear();
        _refusal = null;
        _batch = null;
        _goneId = null;
        _selected = Math.Max(0, Specs.ToList().FindIndex(s => string.Equals(s.Id, InitialComparison, StringComparison.OrdinalIgnoreCase)));

        var mine = Batches.List();
        if (InitialBatch is { Length: > 0 and <= MaxBatchIdLength } id)
        {
            // Anyone with the link may watch a comparison; only its owner may stop it.
            if (Batches.Get(id) is { } shared && shared.Scenario == Scenario.Id && Specs.Any(s => ComparisonResults.Matches(s, shared)))
            {
                Follow(shared, mine.Any(b => b.Id == shared.Id));
            }
            else if (Batches.Get(id) is { } other)
            {
                // A batch of another kind (started through the API): it is there, but no chart here draws it.
                _otherId = other.Id;
            }
            else
            {
                _goneId = id;
            }
        }
        else if (InitialBatch is { Length: > 0 })
        {
            _goneId = InitialBatch[..MaxBatchIdLength];
        }
        else if (mine.FirstOrDefault(b => b.Scenario == Scenario.Id && !b.State.IsFinal() && Specs.Any(s => ComparisonResults.Matches(s, b))) is { } live)
        {
            // A page opened again while this client's comparison still runs shows it, so it can be followed and cancelled.
            Follow(live, mine: true);
        }
    }

    /// <summary>The label of a value of the scenario's mode knob whose host mode this server cannot run (processes without the worker); null when it can.</summary>
    private string? Unavailable(string? option) =>
        option is not null && Scenario.HostModes.TryGetValue(option, out var mode) && !Scenario.Modes.Contains(mode)
        && Scenario.Find(Scenario.ModeParameter) is { } knob
            ? OptionLabel(knob, option)
            : null;

    private bool SeriesAvailable(string option) =>
        SeriesKnob is not { } knob || !string.Equals(knob.Name, Scenario.ModeParameter, StringComparison.OrdinalIgnoreCase) || Unavailable(option) is null;

    private Choices ChoicesOf(ComparisonSpec spec)
    {
        if (!_choices.TryGetValue(spec.Id, out var choices))
        {
            choices = new Choices
            {
                RepeatText = Math.Min(spec.DefaultRepeat, Limits.MaxRepeat).ToString(CultureInfo.InvariantCulture),
                TopText = spec.DefaultTop.ToString(CultureInfo.InvariantCulture),
            };
            choices.Series.UnionWith(spec.DefaultSeries.Where(SeriesAvailable));
            _choices[spec.Id] = choices;
        }

        return choices;
    }

    /// <summary>Shows the comparison of the batch on screen when one is picked that matches it, else the picked one.</summary>
    private void OnSelected(int index)
    {
        _selected = index;
        _refusal = null;
    }

    private void OnRepeatChanged(string? text) => Current.RepeatText = text ?? "";

    private void OnTopChanged(string? text) => Current.TopText = text ?? "";

    private void OnSeriesChanged(string option, bool on)
    {
        if (on)
        {
            Current.Series.Add(option);
        }
        else
        {
            Current.Series.Remove(option);
        }
    }

    private async Task ApplySuggestedAsync()
    {
        if (Spec.Suggested.Count > 0)
        {
            await OnApply.InvokeAsync(Spec.Suggested);
        }
    }

    private async Task StartAsync()
    {
        if (BlockedReason is not null || Repeat is not { } repeat)
        {
            return;
        }

        _refusal = null;
        _watchError = null;
        _goneId = null;
        _otherId = null;
        await _watch.StopAsync();
        var result = Batches.Start(new BatchStartRequest(Scenario.Id, Values(), Vary(), repeat));
        if (!result.Accepted)
        {
            _refusal = result;
            return;
        }

        Follow(result.Batch!, mine: true);
    }

    private void Follow(BatchInfo batch, bool mine)
    {
        _batch = batch;
        _mine = mine;
        var index = Specs.ToList().FindIndex(s => ComparisonResults.Matches(s, batch));
        if (index >= 0)
        {
            _selected = index;
        }

        _watch.Start(ct => Batches.WatchAsync(batch.Id, ct), info =>
        {
            if (_batch?.Id == info.Id)
            {
                _batch = info;
            }
        }, ex => _watchError = ex.Message);
    }

    private void Cancel()
    {
        if (_batch is not null && !Batches.Cancel(_batch.Id))
        {
            _batch = Batches.Get(_batch.Id) ?? _batch;
        }
    }

    /// <summary>The link that reopens this result (while the server keeps it) with its setup in the form.</summary>
    private string ResultLink(BatchInfo batch)
    {
        var values = ParameterValidator.Validate(Scenario, (batch.Parameters ?? new Dictionary<string, string>())
            .ToDictionary(kv => kv.Key, kv => (string?)kv.Value, StringComparer.OrdinalIgnoreCase)).Values;
        var link = ShareLink.Encode(Scenario, values);
        var separator = link.Contains('?', StringComparison.Ordinal) ? "&" : "?";
        return Navigation.BaseUri + link.TrimStart('/') + separator
            + ComparisonLink.ComparisonKey + "=" + Uri.EscapeDataString(Spec.Id) + "&"
            + ComparisonLink.BatchKey + "=" + Uri.EscapeDataString(batch.Id);
    }

    private Task CopyLinkAsync(string link) =>
        Clipboard.CopyAsync(JS, Snackbar, link, L["play.linkCopied"], L["compare.clipboardUnavailable"]);

    private string Label(ParameterSpec spec) => ScenarioTexts.Label(Scenario.Id, spec).Format();

    private string OptionLabel(ParameterSpec spec, string value) => ScenarioTexts.Option(Scenario.Id, spec, value).Format();

    private string Title(ComparisonSpec spec) => Msg.Of(spec.TitleKey(Scenario.Id)).Format();

    /// <summary>"Process pool", "Pool size 3", "Thread pool · Pool size 2".</summary>
    private string RowLabel(IReadOnlyDictionary<string, string> values) =>
        string.Join(" · ", values.Select(kv => Scenario.Find(kv.Key) is { } spec
            ? spec.Type == ParameterType.Choice ? OptionLabel(spec, kv.Value) : $"{Label(spec)} {kv.Value}"
            : kv.Value));

    /// <summary>The fixed part of a setup in words: every basic knob the comparison does not vary.</summary>
    private string SetupText(IReadOnlyDictionary<string, string?> values, IEnumerable<string> varied)
    {
        var skip = new HashSet<string>(varied, StringComparer.OrdinalIgnoreCase);
        var parts = Scenario.Parameters
            .Where(p => !p.Advanced && !skip.Contains(p.Name) && values.TryGetValue(p.Name, out var v) && !string.IsNullOrEmpty(v))
            .Select(p => $"{Label(p)}: {ValueText(p, values[p.Name]!)}");
        return string.Join(" · ", parts);
    }

    private string ValueText(ParameterSpec spec, string text)
    {
        if (spec.Type == ParameterType.Choice)
        {
            return OptionLabel(spec, text);
        }

        return spec.UnitText is { } unit ? $"{text} {unit.Format()}" : text;
    }

    private string SuggestedText =>
        string.Join(" · ", Spec.Suggested.Select(kv => Scenario.Find(kv.Key) is { } spec ? $"{Label(spec)} {ValueText(spec, kv.Value)}" : kv.Value));

    private static IEnumerable<IReadOnlyDictionary<string, string>> Cross(IReadOnlyDictionary<string, IReadOnlyList<string>> vary)
    {
        IEnumerable<IReadOnlyDictionary<string, string>> rows = [new Dictionary<string, string>(StringComparer.Ordinal)];
        foreach (var (name, values) in vary)
        {
            rows = rows.SelectMany(row => values.Select(v => (IReadOnlyDictionary<string, string>)new Dictionary<string, string>(row, StringComparer.Ordinal) { [name] = v }));
        }

        return rows;
    }

    public async ValueTask DisposeAsync() => await _watch.DisposeAsync();

    /// <summary>What the learner set for one comparison, kept while they look at another.</summary>
    private sealed class Choices
    {
        public string RepeatText { get; set; } = "";
        public string TopText { get; set; } = "";
        public HashSet<string> Series { get; } = new(StringComparer.Ordinal);
    }
}

/// <summary>The query keys of a link to a comparison's result, beside the setup's knobs.</summary>
public static class ComparisonLink
{
    public const string ComparisonKey = "compare";
    public const string BatchKey = "batch";
}
