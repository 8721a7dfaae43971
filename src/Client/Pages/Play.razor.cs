using Microsoft.AspNetCore.Components;
using Microsoft.JSInterop;
using MudBlazor;
using Playground.Client.Scenarios;
using Playground.Client.Services;
using Playground.Shared.Catalog;
using Playground.Shared.Parameters;
using Playground.Shared.Runs;

namespace Playground.Client.Pages;

/// <summary>
/// The play page of any scenario: a form built from the scenario's parameter specs, Run/Stop,
/// the live timeline and the summary. Nothing here knows a particular scenario.
/// </summary>
public sealed partial class Play : IAsyncDisposable
{
    [Parameter] public string ScenarioId { get; set; } = "";

    [Inject] private IRunService Runs { get; set; } = default!;
    [Inject] private NavigationManager Navigation { get; set; } = default!;
    [Inject] private IJSRuntime JS { get; set; } = default!;
    [Inject] private ISnackbar Snackbar { get; set; } = default!;
    [Inject] private ClientSession Session { get; set; } = default!;
    [Inject] private ScenarioContentRegistry Contents { get; set; } = default!;

    private ScenarioDescriptor? _scenario;
    private IScenarioContent? _content;
    private string? _loadedId;

    // Every knob as invariant text, including invalid text the learner typed, so it stays visible.
    private readonly Dictionary<string, string> _text = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, string> _errors = new(StringComparer.OrdinalIgnoreCase);
    private IReadOnlyList<ParameterError> _linkErrors = [];
    private string _shareLink = "";
    private bool _moreOpen;

    private StartResult? _refusal;
    private RunInfo? _run;
    private string? _watchError;
    private CancellationTokenSource? _watchCts;
    private Task? _watchTask;

    private IReadOnlyList<ParameterSpec> BasicSpecs =>
        _scenario?.Parameters.Where(p => !p.Advanced && !IsModeSpec(p)).ToList() ?? [];

    private IReadOnlyList<ParameterSpec> AdvancedSpecs =>
        _scenario?.Parameters.Where(p => p.Advanced && !IsModeSpec(p)).ToList() ?? [];

    private bool IsActive => _run is not null && !_run.State.IsFinal();

    private bool CanRun => _scenario is { Available: true } && _errors.Count == 0 && !IsActive;

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
        if (_scenario is null || !_scenario.Available)
        {
            return;
        }

        var query = Navigation.ToAbsoluteUri(Navigation.Uri).Query;
        var decoded = ShareLink.Decode(_scenario, query);
        foreach (var (name, text) in decoded.Values.ToText())
        {
            _text[name] = text;
        }

        _linkErrors = decoded.Errors;
        _moreOpen = AdvancedSpecs.Any(s => !IsDefault(s));
        UpdateShareLink();
    }

    private static bool IsModeSpec(ParameterSpec spec) =>
        string.Equals(spec.Name, CommonParameters.Mode, StringComparison.OrdinalIgnoreCase);

    private bool IsDefault(ParameterSpec spec) =>
        !_text.TryGetValue(spec.Name, out var text) || string.Equals(text, spec.DefaultText, StringComparison.OrdinalIgnoreCase);

    private string? TextOf(ParameterSpec spec) => _text.GetValueOrDefault(spec.Name);

    private string? ErrorOf(ParameterSpec spec) => _errors.GetValueOrDefault(spec.Name);

    private static string ModeLabel(string mode) =>
        mode.Length == 0 ? mode : char.ToUpperInvariant(mode[0]) + mode[1..];

    private string FallbackText(ParameterError error)
    {
        var spec = _scenario?.Find(error.Field);
        return spec is null
            ? "it was ignored."
            : $"so {spec.Name} fell back to its default ({_text.GetValueOrDefault(spec.Name, spec.DefaultText)}{(string.IsNullOrEmpty(spec.Unit) ? "" : " " + spec.Unit)}).";
    }

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
            _errors[spec.Name] = message!.Format();
        }

        UpdateShareLink();
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

    /// <summary>The values as the validator sees them; invalid fields fall back to defaults.</summary>
    private ParameterValues CurrentValues() => ParameterValidator.Validate(_scenario!, RawValues()).Values;

    private Dictionary<string, string?> RawValues() =>
        _text.ToDictionary(kv => kv.Key, kv => (string?)kv.Value, StringComparer.OrdinalIgnoreCase);

    private string RelativeLink() => ShareLink.Encode(_scenario!, CurrentValues());

    private void UpdateShareLink()
    {
        if (_scenario is null)
        {
            return;
        }

        _shareLink = Navigation.BaseUri + RelativeLink().TrimStart('/');
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

    private async Task ShareAsync()
    {
        UpdateShareLink();
        try
        {
            await JS.InvokeVoidAsync("navigator.clipboard.writeText", _shareLink);
            Snackbar.Add("Link copied to the clipboard.", Severity.Success);
        }
        catch (JSException)
        {
            Snackbar.Add("The clipboard is not available here; copy the link from the field below the buttons.", Severity.Info);
        }
        catch (InvalidOperationException)
        {
            Snackbar.Add("Copy the link from the field below the buttons.", Severity.Info);
        }
    }

    private async Task RunAsync()
    {
        if (_scenario is null || !CanRun)
        {
            return;
        }

        _refusal = null;
        _watchError = null;
        await StopWatchingAsync();

        var result = Runs.Start(new RunStartRequest(_scenario.Id, RawValues()), Session.ClientId);
        if (!result.Accepted)
        {
            _refusal = result;
            return;
        }

        _run = result.Run;
        _watchCts = new CancellationTokenSource();
        _watchTask = WatchAsync(_run!.Id, _watchCts.Token);
    }

    private async Task WatchAsync(string runId, CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var info in Runs.WatchAsync(runId, cancellationToken))
            {
                await InvokeAsync(() =>
                {
                    if (_run?.Id == info.Id)
                    {
                        _run = info;
                        StateHasChanged();
                    }
                });
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The page moved on (new run or disposed).
        }
        catch (Exception ex)
        {
            await InvokeAsync(() =>
            {
                _watchError = ex.Message;
                StateHasChanged();
            });
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

    private async Task StopWatchingAsync()
    {
        var cts = _watchCts;
        var task = _watchTask;
        _watchCts = null;
        _watchTask = null;
        if (cts is null)
        {
            return;
        }

        await cts.CancelAsync();
        if (task is not null)
        {
            try
            {
                await task;
            }
            catch (OperationCanceledException)
            {
                // Expected on cancel.
            }
        }

        cts.Dispose();
    }

    public async ValueTask DisposeAsync() => await StopWatchingAsync();
}
