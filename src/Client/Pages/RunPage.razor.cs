using Microsoft.AspNetCore.Components;
using Microsoft.JSInterop;
using MudBlazor;
using Playground.Client.Services;
using Playground.Shared.Catalog;
using Playground.Shared.Runs;
using Playground.Shared.Text;

namespace Playground.Client.Pages;

/// <summary>
/// One run by its id, for anyone with the link: live while it runs (from its first event), its
/// timeline, replay and summary once it has ended. Only the one who started it may stop it.
/// </summary>
public sealed partial class RunPage : IAsyncDisposable
{
    [Parameter] public string RunId { get; set; } = "";

    [CascadingParameter(Name = "Dark")] private bool Dark { get; set; }

    [Inject] private IRunService Runs { get; set; } = default!;
    [Inject] private NavigationManager Navigation { get; set; } = default!;
    [Inject] private IJSRuntime JS { get; set; } = default!;
    [Inject] private ISnackbar Snackbar { get; set; } = default!;

    private readonly LiveWatch<RunInfo> _watch;
    private RunInfo? _run;
    private ScenarioDescriptor? _scenario;
    private bool _own;
    private string? _watchError;
    private string? _loadedId;

    public RunPage()
    {
        _watch = new LiveWatch<RunInfo>(InvokeAsync, StateHasChanged);
    }

    private string Title => _run is null || _scenario is null
        ? L["app.title"]
        : $"{L.Format("run.heading", ("id", _run.Id))} · {ScenarioTexts.Name(_scenario).Format()} · {L["app.title"]}";

    private string PlayLink => _run is null || _scenario is null ? "" : RunSettingsText.PlayLink(_scenario, _run).TrimStart('/');

    /// <summary>What the page shows, in one line: live or ended, and who may stop it.</summary>
    private string About => _run is null ? ""
        : !_run.State.IsFinal() ? (_own ? L["run.aboutLiveOwn"] : L["run.aboutLive"])
        : L["run.aboutEnded"];

    protected override void OnParametersSet()
    {
        if (string.Equals(_loadedId, RunId, StringComparison.Ordinal))
        {
            return;
        }

        _loadedId = RunId;
        _watchError = null;
        _compareText = null;
        _ = _watch.StopAsync();
        _run = RunIds.IsWellFormed(RunId) ? Runs.Get(RunId) : null;
        _scenario = _run is null ? null : Runs.Scenarios.FirstOrDefault(s => string.Equals(s.Id, _run.Scenario, StringComparison.OrdinalIgnoreCase));
        if (_run is null || _scenario is null)
        {
            Navigation.NotFound();
            return;
        }

        _own = Runs.IsOwn(_run.Id);
        if (!_run.State.IsFinal())
        {
            var id = _run.Id;
            _watch.Start(ct => Runs.WatchAsync(id, ct), info =>
            {
                if (_run?.Id == info.Id)
                {
                    _run = info;
                }
            }, ex => _watchError = ex.Message);
        }
    }

    private void Stop()
    {
        if (_run is not null && !Runs.Cancel(_run.Id))
        {
            _run = Runs.Get(_run.Id) ?? _run;
        }
    }

    private void OnStreamEnded()
    {
        // The watch normally delivers the final state first; this covers a watch that lagged.
        if (_run is not null && !_run.State.IsFinal() && Runs.Get(_run.Id) is { } latest)
        {
            _run = latest;
        }
    }

    /// <summary>After a save or a delete: the run as it stands, or, when the server no longer has it, the list of saved runs.</summary>
    private void OnSavedChanged(RunInfo? info)
    {
        if (info is null)
        {
            Navigation.NavigateTo("saved");
            return;
        }

        _run = info;
    }

    private string? _compareText;

    /// <summary>Opens this run beside another, named by its link or id (checked on the compare page).</summary>
    private void CompareWith()
    {
        if (_run is null || string.IsNullOrWhiteSpace(_compareText))
        {
            return;
        }

        Navigation.NavigateTo(CompareLink.Of(_run.Id, CompareLink.RunIdIn(_compareText) ?? _compareText.Trim()));
    }

    private void OnCompareKey(Microsoft.AspNetCore.Components.Web.KeyboardEventArgs e)
    {
        if (e.Key == "Enter")
        {
            CompareWith();
        }
    }

    private Task CopyLinkAsync() =>
        Clipboard.CopyWatchLinkAsync(JS, Snackbar, Navigation, L, RunId);

    public async ValueTask DisposeAsync() => await _watch.DisposeAsync();
}
