using System.Globalization;
using Microsoft.AspNetCore.Components;
using Playground.Client.Services;
using Playground.Shared.Catalog;
using Playground.Shared.Parameters;
using Playground.Shared.Runs;
using Playground.Shared.Text;

namespace Playground.Client.Components;

/// <summary>
/// The "run it N times" panel of a scenario with a <see cref="BatchSpec"/>: N, a box per option of
/// the knob it varies, Start with the form's other values, progress with Cancel, and a bar per
/// option for the share of runs whose invariant was violated. Nothing here knows a scenario.
/// </summary>
public sealed partial class BatchPanel : IAsyncDisposable
{
    private const int DefaultRepeat = 20;

    [Parameter, EditorRequired] public ScenarioDescriptor Scenario { get; set; } = default!;

    /// <summary>The form's values now (invariant text), for every knob but the varied one.</summary>
    [Parameter, EditorRequired] public Func<IReadOnlyDictionary<string, string?>> Values { get; set; } = default!;

    /// <summary>Why the form above cannot be used now, in words; null when it can.</summary>
    [Parameter] public string? FormProblem { get; set; }

    /// <summary>The form's estimate of one run, in seconds, when it has one.</summary>
    [Parameter] public double? RunSeconds { get; set; }

    [Inject] private IBatchService Batches { get; set; } = default!;

    private readonly HashSet<string> _checked = new(StringComparer.Ordinal);
    private string? _loadedFor;
    private string _repeatText = "";
    private BatchInfo? _batch;
    private BatchStartResult? _refusal;
    private string? _watchError;
    private readonly LiveWatch<BatchInfo> _watch;

    public BatchPanel()
    {
        _watch = new LiveWatch<BatchInfo>(InvokeAsync, StateHasChanged);
    }

    private BatchLimits Limits => Batches.Limits;

    private BatchSpec Spec => Scenario.Batch!;

    private ParameterSpec Knob => Scenario.Find(Spec.Vary)!;

    private string KnobLabel => ScenarioTexts.Label(Scenario.Id, Knob).Format();

    // The scenario's own word for its measure, else a word for a measure every run has (wall time), else its name.
    private string MeasureLabel =>
        Msg.Template(Spec.MeasureKey(Scenario.Id)) is not null ? Msg.Of(Spec.MeasureKey(Scenario.Id)).Format()
        : Msg.Template("batch.measure." + Spec.Measure) is not null ? Msg.Of("batch.measure." + Spec.Measure).Format()
        : Spec.Measure;

    private bool IsActive => _batch is not null && !_batch.State.IsFinal();

    private int? Repeat =>
        int.TryParse(ParameterValidator.Normalize(_repeatText), NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= 1 && n <= Limits.MaxRepeat
            ? n
            : null;

    private string? RepeatError => Repeat is null ? L.Format("batch.blocked.repeat", ("max", Limits.MaxRepeat)) : null;

    private int TotalRuns => (Repeat ?? 0) * _checked.Count;

    private double? EstimatedSeconds => RunSeconds is { } one && TotalRuns > 0 ? one * TotalRuns : null;

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

            if (_checked.Count == 0)
            {
                return L.Format("batch.blocked.none", ("knob", KnobLabel));
            }

            if (_checked.Count > Limits.MaxCombinations || TotalRuns > Limits.MaxRuns)
            {
                return L.Format("batch.blocked.tooMany", ("total", TotalRuns), ("max", Limits.MaxRuns), ("combinations", Limits.MaxCombinations));
            }

            if (EstimatedSeconds is { } seconds && seconds > Limits.MaxSeconds)
            {
                return L.Format("batch.blocked.tooLong", ("duration", L.Duration(seconds * 1000)), ("max", L.Duration(Limits.MaxSeconds * 1000)));
            }

            return null;
        }
    }

    protected override async Task OnParametersSetAsync()
    {
        if (_loadedFor == Scenario.Id)
        {
            return;
        }

        // Another scenario: the batch on screen (if any) is not this one's.
        await _watch.StopAsync();
        _loadedFor = Scenario.Id;
        _checked.Clear();
        _checked.UnionWith(Knob.Options.Take(Limits.MaxCombinations).Select(o => o.Value));
        _repeatText = Math.Min(DefaultRepeat, Limits.MaxRepeat).ToString(CultureInfo.InvariantCulture);
        _refusal = null;
        _batch = null;

        // A page opened again while this client's batch of this scenario still runs shows it, so it can be followed and cancelled.
        if (Batches.List().FirstOrDefault(b => b.Scenario == Scenario.Id && !b.State.IsFinal()) is { } live)
        {
            Follow(live);
        }
    }

    private string OptionLabel(string value) => ScenarioTexts.Option(Scenario.Id, Knob, value).Format();

    private void OnRepeatChanged(string? text) => _repeatText = text ?? "";

    private void OnOptionChanged(string value, bool on)
    {
        if (on)
        {
            _checked.Add(value);
        }
        else
        {
            _checked.Remove(value);
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
        await _watch.StopAsync();
        var values = Knob.Options.Select(o => o.Value).Where(_checked.Contains).ToList();
        var result = Batches.Start(new BatchStartRequest(Scenario.Id, Values(),
            new Dictionary<string, IReadOnlyList<string>> { [Knob.Name] = values }, repeat));
        if (!result.Accepted)
        {
            _refusal = result;
            return;
        }

        Follow(result.Batch!);
    }

    private void Follow(BatchInfo batch)
    {
        _batch = batch;
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
            // Already over; take the latest view of it.
            _batch = Batches.Get(_batch.Id) ?? _batch;
        }
    }

    private static string BarWidth(double share) => (share * 100).ToString("0.#", CultureInfo.InvariantCulture) + "%";

    /// <summary>The row's varied values as the form names them ("No lock"; "Kind: Bounded · Mode: Threads").</summary>
    private string RowLabel(BatchRow row)
    {
        if (row.Values.Count == 0)
        {
            return L["batch.row.all"];
        }

        var parts = row.Values.Select(kv => Scenario.Find(kv.Key) is { Type: ParameterType.Choice } spec
            ? (Spec: spec, Text: ScenarioTexts.Option(Scenario.Id, spec, kv.Value).Format())
            : (Spec: null, Text: kv.Value)).ToList();
        return parts.Count == 1
            ? parts[0].Text
            : string.Join(" · ", parts.Select(p => p.Spec is null ? p.Text : $"{ScenarioTexts.Label(Scenario.Id, p.Spec).Format()}: {p.Text}"));
    }

    /// <summary>"invariant violated in 7 of 20 runs · mean 2.3 oversold".</summary>
    private string RowText(BatchInfo batch, BatchRow row)
    {
        var parts = new List<string>();
        // Once the batch has ended, the row's runs that gave no result (cancelled, failed) are counted too.
        var unfinished = batch.State.IsFinal() ? row.RunIds.Count - row.Runs : 0;
        if (row.Runs > 0)
        {
            parts.Add(L.Format("batch.row.violated", ("violated", row.Violated), ("runs", row.Runs)));
            if (row.Mean is { } mean)
            {
                parts.Add(L.Format("batch.row.mean", ("mean", UiText.Number(Math.Round(mean, Math.Abs(mean) >= 100 ? 0 : 2))), ("measure", MeasureLabel)));
            }
        }
        else if (unfinished == 0)
        {
            parts.Add(L["batch.row.none"]);
        }

        if (unfinished > 0)
        {
            parts.Add(L.Format("batch.row.unfinished", ("count", unfinished)));
        }

        return string.Join(" · ", parts);
    }

    public async ValueTask DisposeAsync() => await _watch.DisposeAsync();
}
