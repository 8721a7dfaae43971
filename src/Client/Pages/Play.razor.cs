using System.Globalization;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.Localization;
using Microsoft.JSInterop;
using MudBlazor;
using Playground.Client.Components.Comparisons;
using Playground.Client.Resources;
using Playground.Client.Scenarios;
using Playground.Client.Services;
using Playground.Shared.Catalog;
using Playground.Shared.Parameters;
using Playground.Shared.Runs;
using Playground.Shared.Text;

namespace Playground.Client.Pages;

/// <summary>
/// The play page of any scenario: a form built from the scenario's parameter specs, Run/Stop,
/// the live timeline and the summary. Nothing here knows a particular scenario.
/// </summary>
public sealed partial class Play : IAsyncDisposable
{
    // Past this estimate at real speed the page suggests a smaller time scale.
    private const double SlowRunSeconds = 20;

    [Parameter] public string ScenarioId { get; set; } = "";

    [CascadingParameter] private SiteSettings? Settings { get; set; }

    /// <summary>The page's theme, for the timeline's canvas.</summary>
    [CascadingParameter(Name = "Dark")] private bool Dark { get; set; }

    [Inject] private IRunService Runs { get; set; } = default!;
    [Inject] private NavigationManager Navigation { get; set; } = default!;
    [Inject] private IJSRuntime JS { get; set; } = default!;
    [Inject] private ISnackbar Snackbar { get; set; } = default!;
    [Inject] private ScenarioContentRegistry Contents { get; set; } = default!;

    private ScenarioDescriptor? _scenario;
    private IScenarioContent? _content;
    private string? _loadedId;

    // Every knob as the text the learner typed, invalid text included, so it stays visible.
    private readonly Dictionary<string, string> _text = new(StringComparer.OrdinalIgnoreCase);
    // Why a field cannot be used, in the reader's language; kept until the field is fixed.
    private readonly Dictionary<string, string> _errors = new(StringComparer.OrdinalIgnoreCase);
    private IReadOnlyList<ParameterError> _linkErrors = [];
    private SetupCheck? _check;
    private string _shareLink = "";
    // A comparison's result named by the link the page was opened with (its batch and which comparison).
    private string? _linkBatch;
    private string? _linkComparison;
    private bool _moreOpen;
    private bool _adviceOpenedMore;
    private bool _explanationOpen = true;

    private StartResult? _refusal;
    private RunInfo? _run;
    private string? _watchError;
    private readonly LiveWatch<RunInfo> _watch;
    private ElementReference _timelineCard;
    private bool _revealTimeline;

    public Play()
    {
        _watch = new LiveWatch<RunInfo>(InvokeAsync, StateHasChanged);
    }

    private string Title => _scenario is null
        ? L["app.title"]
        : $"{ScenarioTexts.Name(_scenario).Format()} · {L["app.title"]}";

    private IReadOnlyList<ParameterSpec> BasicSpecs =>
        _scenario?.Parameters.Where(p => !p.Advanced && !IsModeSpec(p)).ToList() ?? [];

    private IReadOnlyList<ParameterSpec> AdvancedSpecs =>
        _scenario?.Parameters.Where(p => p.Advanced && !IsModeSpec(p)).ToList() ?? [];

    private bool IsActive => _run is not null && !_run.State.IsFinal();

    /// <summary>Why Run is off, in words; null when it is on.</summary>
    private string? BlockedReason
    {
        get
        {
            if (_scenario is not { Available: true })
            {
                return "";
            }

            if (IsActive)
            {
                return L["play.blockedActive"];
            }

            if (_errors.Count > 0)
            {
                return L.Format("play.blockedFields", ("fields", FieldList(_errors.Keys)));
            }

            if (_check is { Limits.Count: > 0 } check)
            {
                return L.Format("play.blockedLimit", ("fields", FieldList(check.Limits.SelectMany(LimitFields).Distinct(StringComparer.OrdinalIgnoreCase))));
            }

            return null;
        }
    }

    /// <summary>A scenario whose descriptor names a batch knob with options gets the "run it N times" panel.</summary>
    private bool HasBatchPanel =>
        _scenario?.Batch is { } batch && _scenario.Find(batch.Vary) is { Type: ParameterType.Choice };

    /// <summary>Why the form keeps a batch from starting (a bad field, a cap), in words; null when it does not.</summary>
    private string? BatchFormProblem
    {
        get
        {
            if (_errors.Count > 0)
            {
                return L.Format("batch.blockedFields", ("fields", FieldList(_errors.Keys)));
            }

            return _check is { Limits.Count: > 0 } check
                ? L.Format("batch.blockedLimit", ("fields", FieldList(check.Limits.SelectMany(LimitFields).Distinct(StringComparer.OrdinalIgnoreCase))))
                : null;
        }
    }

    private string? ShareHelper => _errors.Count > 0 ? L.Format("play.shareHelper", ("fields", FieldList(_errors.Keys))) : null;

    private bool ShowTimeScaleAdvice => _check is { } check && check.EstimatedSeconds > SlowRunSeconds;

    /// <summary>
    /// True when the scenario has the common mode knob (shown as a row of radio buttons); a
    /// scenario that picks where its actors run with a knob of its own (the pool's executor)
    /// shows that knob among the others instead.
    /// </summary>
    private bool HasModeKnob => _scenario?.Find(CommonParameters.Mode) is not null;

    /// <summary>The options of a scenario's own mode knob whose host mode this server cannot run (processes without the worker).</summary>
    private IReadOnlyCollection<string> UnavailableOptions(ParameterSpec spec) =>
        _scenario is { } s && string.Equals(spec.Name, s.ModeParameter, StringComparison.OrdinalIgnoreCase) && s.HostModes.Count > 0
            ? [.. s.HostModes.Where(kv => !s.Modes.Contains(kv.Value)).Select(kv => kv.Key)]
            : [];

    private string CurrentMode =>
        _text.TryGetValue(CommonParameters.Mode, out var mode) ? mode
        : _scenario is { Modes.Count: > 0 } s ? s.Modes[0] : RunModes.Threads;

    protected override void OnParametersSet()
    {
        if (string.Equals(_loadedId, ScenarioId, StringComparison.OrdinalIgnoreCase))
        {
            return;
        }

        _loadedId = ScenarioId;
        _scenario = Runs.Scenarios.FirstOrDefault(s => string.Equals(s.Id, ScenarioId, StringComparison.OrdinalIgnoreCase));
        _content = _scenario is null ? null : Contents.Find(_scenario.Id);
        _text.Clear();
        _errors.Clear();
        _linkErrors = [];
        _check = null;
        if (_scenario is null)
        {
            Navigation.NotFound();
            return;
        }

        if (!_scenario.Available)
        {
            return;
        }

        var query = Navigation.ToAbsoluteUri(Navigation.Uri).Query;
        _linkBatch = QueryText.Value(query, ComparisonLink.BatchKey);
        _linkComparison = QueryText.Value(query, ComparisonLink.ComparisonKey);
        var decoded = ShareLink.Decode(_scenario, KnobsOnly(query));
        foreach (var (name, text) in decoded.Values.ToText())
        {
            _text[name] = text;
        }

        _linkErrors = decoded.Errors;
        _moreOpen = AdvancedSpecs.Any(s => !IsDefault(s));
        Recheck();
    }

    private static bool IsModeSpec(ParameterSpec spec) =>
        string.Equals(spec.Name, CommonParameters.Mode, StringComparison.OrdinalIgnoreCase);

    private bool IsDefault(ParameterSpec spec) =>
        !_text.TryGetValue(spec.Name, out var text) || string.Equals(text, spec.DefaultText, StringComparison.OrdinalIgnoreCase);

    private string? TextOf(ParameterSpec spec) => _text.GetValueOrDefault(spec.Name);

    /// <summary>A field's own error, else the cap it helps to break.</summary>
    private string? ErrorOf(ParameterSpec spec) =>
        _errors.GetValueOrDefault(spec.Name)
        ?? _check?.Limits.FirstOrDefault(l => LimitFields(l).Contains(spec.Name, StringComparer.OrdinalIgnoreCase))?.Text.Format();

    // The knobs to point at for a cap: those the learner moved from their defaults, else all that set it.
    private IEnumerable<string> LimitFields(SetupLimit limit)
    {
        var moved = limit.Fields.Where(f => _scenario?.Find(f) is { } spec && !IsDefault(spec)).ToList();
        return moved.Count > 0 ? moved : limit.Fields;
    }

    private string Label(string field) => _scenario is null ? field : RunSettingsText.Label(_scenario, field);

    private string FieldList(IEnumerable<string> fields) =>
        L.JoinAnd(fields.Select(f => "“" + Label(f) + "”").ToList());

    // Every mode has a common label (param.common.mode.option.*), also one the scenario lacks.
    private string ModeLabel(string mode) =>
        _scenario?.Find(CommonParameters.Mode) is { } spec ? ScenarioTexts.Option(_scenario.Id, spec, mode).Format() : mode;

    /// <summary>
    /// Why a mode cannot be picked: the scenario's mode knob lists every mode it has, and its
    /// <c>Modes</c> only those this server can run (processes need the worker program). A mode
    /// the scenario has is missing here; one it never had is said plainly.
    /// </summary>
    private string ModeNote(string mode)
    {
        var scenarioHasIt = _scenario?.Find(CommonParameters.Mode)?.Options.Any(o => o.Value == mode) ?? false;
        return scenarioHasIt
            ? L.Format("play.modeUnavailable", ("mode", ModeLabel(mode)))
            : L["play.modeMissing." + mode];
    }

    /// <summary>A validation message that names the field by its label, as the form shows it.</summary>
    private string FieldMessage(string field, Msg message)
    {
        if (_scenario?.Find(field) is not { } spec || message.Args is null || !message.Args.ContainsKey("field"))
        {
            return message.Format();
        }

        var args = new Dictionary<string, object>(message.Args, StringComparer.Ordinal)
        {
            ["field"] = ScenarioTexts.Label(_scenario.Id, spec),
        };
        return (message with { Args = args }).Format();
    }

    private string FallbackText(ParameterError error)
    {
        var spec = _scenario?.Find(error.Field);
        return spec is null
            ? L["play.ignored"]
            : L.Format("play.fellBack", ("field", Label(spec.Name)), ("value", DisplayValue(spec, _text.GetValueOrDefault(spec.Name, spec.DefaultText))));
    }

    private string DisplayValue(ParameterSpec spec, string text) => RunSettingsText.DisplayValue(_scenario!, spec, text);

    private void OnFieldChanged(ParameterSpec spec, string? text)
    {
        text ??= "";
        _text[spec.Name] = text;
        if (ParameterValidator.TryParse(spec, text, out _, out var message))
        {
            _errors.Remove(spec.Name);
        }
        else
        {
            _errors[spec.Name] = FieldMessage(spec.Name, message!);
        }

        Recheck();
        SyncAddressBar();
    }

    private void OnModeChanged(string mode)
    {
        if (_scenario is null || !_scenario.Modes.Contains(mode))
        {
            return;
        }

        var spec = _scenario.Find(CommonParameters.Mode);
        if (spec is not null)
        {
            OnFieldChanged(spec, mode);
        }
    }

    // After every change: the setup's size and caps, the share link, the time-scale advice.
    private void Recheck()
    {
        if (_scenario is null)
        {
            return;
        }

        _check = _errors.Count == 0 ? Runs.Check(new RunStartRequest(_scenario.Id, RawValues())) : null;
        _shareLink = _errors.Count == 0 ? Navigation.BaseUri + RelativeLink().TrimStart('/') : "";
        if (ShowTimeScaleAdvice && !_adviceOpenedMore)
        {
            // The advice points at the time scale, which lives under More.
            _moreOpen = true;
            _adviceOpenedMore = true;
        }
    }

    /// <summary>The values as the validator sees them.</summary>
    private ParameterValues CurrentValues() => ParameterValidator.Validate(_scenario!, RawValues()).Values;

    private Dictionary<string, string?> RawValues() =>
        _text.ToDictionary(kv => kv.Key, kv => (string?)ParameterValidator.Normalize(kv.Value), StringComparer.OrdinalIgnoreCase);

    // The setup's link; it names the language only when the reader chose one.
    private string RelativeLink()
    {
        var link = ShareLink.Encode(_scenario!, CurrentValues());
        return Settings?.ExplicitLanguage is { } lang
            ? link + (link.Contains('?', StringComparison.Ordinal) ? "&" : "?") + Languages.QueryKey + "=" + lang
            : link;
    }

    // The page's own keys (the language, a comparison's result) are not knobs.
    private static readonly string[] PageKeys = [Languages.QueryKey, ComparisonLink.BatchKey, ComparisonLink.ComparisonKey];

    private static string KnobsOnly(string query) =>
        string.Join('&', query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Where(p => !PageKeys.Any(k => p.StartsWith(k + "=", StringComparison.OrdinalIgnoreCase) || string.Equals(p, k, StringComparison.OrdinalIgnoreCase))));

    /// <summary>Puts values into the form (a comparison's suggested setup), as if typed.</summary>
    private void ApplyValues(IReadOnlyDictionary<string, string> values)
    {
        foreach (var (name, text) in values)
        {
            if (_scenario?.Find(name) is { } spec)
            {
                OnFieldChanged(spec, text);
            }
        }
    }

    // Keeps the address bar equal to the form, without a reload or a new history entry.
    private void SyncAddressBar()
    {
        if (_scenario is null || _errors.Count > 0)
        {
            return;
        }

        var target = Navigation.BaseUri + RelativeLink().TrimStart('/');
        if (!string.Equals(target, Navigation.Uri, StringComparison.Ordinal))
        {
            Navigation.NavigateTo(target, forceLoad: false, replace: true);
        }
    }

    /// <summary>Copies the link to the run on screen (/runs/{id}): anyone who opens it watches that very run.</summary>
    private Task CopyWatchLinkAsync() => _run is null
        ? Task.CompletedTask
        : Clipboard.CopyWatchLinkAsync(JS, Snackbar, Navigation, L, _run.Id);

    private async Task ShareAsync()
    {
        if (_errors.Count > 0)
        {
            // A link now would carry the default instead of what the learner typed.
            Snackbar.Add(L.Format("play.shareInvalid", ("fields", FieldList(_errors.Keys))), Severity.Warning);
            return;
        }

        Recheck();
        await Clipboard.CopyAsync(JS, Snackbar, _shareLink, L["play.linkCopied"], L["play.clipboardUnavailable"]);
    }

    /// <summary>The settings a run used, labelled for the summary.</summary>
    private IReadOnlyList<KeyValuePair<string, string>> RunSettings(RunInfo run) =>
        _scenario is null ? [] : RunSettingsText.Of(_scenario, run);

    /// <summary>"The run on screen used consumers = 2 …" when the form has moved on since.</summary>
    private string? Mismatch
    {
        get
        {
            if (_scenario is null || _run is null || _run.Parameters.Count == 0 || _errors.Count > 0)
            {
                return null;
            }

            var used = RunSettingsText.TextOfRun(_run);
            var now = CurrentValues().ToText();
            var differing = _scenario.Parameters
                .Where(spec => used.TryGetValue(spec.Name, out var u) && now.TryGetValue(spec.Name, out var n) && !string.Equals(u, n, StringComparison.Ordinal))
                .Select(spec => $"{Label(spec.Name)} = {DisplayValue(spec, used[spec.Name])}")
                .ToList();
            return differing.Count == 0 ? null : L.Format("play.mismatch", ("params", L.JoinAnd(differing)));
        }
    }

    private async Task RunAsync()
    {
        if (_scenario is null || BlockedReason is not null)
        {
            return;
        }

        _refusal = null;
        _watchError = null;
        await _watch.StopAsync();

        var result = Runs.Start(new RunStartRequest(_scenario.Id, RawValues()));
        if (!result.Accepted)
        {
            _refusal = result;
            return;
        }

        _run = result.Run;
        _revealTimeline = true;
        var runId = _run!.Id;
        _watch.Start(ct => Runs.WatchAsync(runId, ct), info =>
        {
            if (_run?.Id == info.Id)
            {
                _run = info;
            }
        }, ex => _watchError = ex.Message);
    }

    protected override async Task OnAfterRenderAsync(bool firstRender)
    {
        if (_revealTimeline)
        {
            // On a phone the timeline sits below the form: bring it into view when a run starts.
            _revealTimeline = false;
            try
            {
                await JS.InvokeVoidAsync("playground.reveal", _timelineCard);
            }
            catch (Exception ex) when (ex is JSException or JSDisconnectedException or TaskCanceledException)
            {
                // Scrolling is a courtesy; a page whose connection is gone has nothing to scroll.
            }
        }
    }

    private void Stop()
    {
        if (_run is not null && !Runs.Cancel(_run.Id))
        {
            // Already over; take the latest view of it.
            _run = Runs.Get(_run.Id) ?? _run;
        }
    }

    private Task OnStreamEndedAsync()
    {
        // The watch normally delivers the final state first; this covers a watch that lagged.
        if (_run is not null && !_run.State.IsFinal() && Runs.Get(_run.Id) is { } latest)
        {
            _run = latest;
        }

        return Task.CompletedTask;
    }

    public async ValueTask DisposeAsync() => await _watch.DisposeAsync();
}
