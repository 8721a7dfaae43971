using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.Localization;
using Microsoft.JSInterop;
using Playground.Client.Resources;
using Playground.Client.Services;
using Playground.Shared.Catalog;
using Playground.Shared.Events;
using Playground.Shared.Text;

namespace Playground.Client.Components;

/// <summary>
/// The live timeline of a run: a canvas drawn by timeline.js, which streams the run's events from
/// the runs hub itself. This component passes it the run, the lane-state machine, the gauges the
/// scenario declares, the texts in the reader's language, the items to highlight and the theme,
/// and keeps the toolbar and the legend in step with what is drawn.
/// </summary>
public sealed partial class Timeline : IAsyncDisposable
{
    // The marks the legend can explain, in its order; timeline.js reports which ones it drew.
    private static readonly string[] MarkLegendOrder = ["put", "get", "sentinel", "tick", "flag", "poll", "mark", "fault", "crash"];

    private const double ZoomStep = 1.5;
    private static int s_instances;

    private readonly string _helpId = "timeline-help-" + Interlocked.Increment(ref s_instances).ToString(CultureInfo.InvariantCulture);
    private readonly string _culture = CultureInfo.CurrentUICulture.Name;
    private ElementReference _host;
    private IJSObjectReference? _module;
    private IJSObjectReference? _timeline;
    private DotNetObjectReference<Timeline>? _self;
    private string? _shownRunId;
    private HashSet<string> _marksDrawn = new(StringComparer.Ordinal);
    private long[]? _shownMarks;
    private bool? _shownDark;
    private bool _follow = true;

    [Inject] private IJSRuntime JS { get; set; } = default!;

    // The timeline's own texts (TimelineText.resx); L is the page texts.
    [Inject] private IStringLocalizer<TimelineText> T { get; set; } = default!;

    /// <summary>The run to draw; a new id closes the old stream and opens a new one.</summary>
    [Parameter] public string? RunId { get; set; }

    /// <summary>The scenario whose run is drawn: its gauges are charted under the lanes.</summary>
    [Parameter] public ScenarioDescriptor? Scenario { get; set; }

    /// <summary>Raised when the stream delivered the final batch (or ended).</summary>
    [Parameter] public EventCallback StreamEnded { get; set; }

    /// <summary>
    /// Items to point out on the timeline, such as those a run lost: every put of them is ringed
    /// and its tooltip says it was never eaten. Null or empty marks nothing.
    /// </summary>
    [Parameter] public IReadOnlyList<long>? MarkedItems { get; set; }

    /// <summary>True for the dark palette, false for the light one; null takes the palette of a surrounding <c>.theme-dark</c>.</summary>
    [Parameter] public bool? Dark { get; set; }

    /// <summary>Timelines of one page with the same group share one time axis, zoomed and panned together (runs compared).</summary>
    [Parameter] public string? ViewGroup { get; set; }

    /// <summary>True once the run has ended: the replay controls are offered.</summary>
    [Parameter] public bool Replayable { get; set; }

    /// <summary>The replay speeds offered, times real time.</summary>
    internal static readonly double[] ReplaySpeeds = [0.1, 0.25, 0.5, 1, 2, 5, 10];

    // Where the replay is (ns since the run's start), where the run ends, and whether it plays; null when the whole run is shown.
    private double? _replayAt;
    private double _replayEnd;
    private bool _replayPlaying;
    private double _replaySpeed = 1;

    private string RootClass => "timeline-root " + Dark switch
    {
        true => "timeline-dark",
        false => "timeline-light",
        null => "",
    };

    protected override async Task OnAfterRenderAsync(bool firstRender)
    {
        try
        {
            await SyncScriptAsync(firstRender);
        }
        catch (Exception ex) when (ex is JSDisconnectedException or TaskCanceledException)
        {
            // The page's connection is gone; there is no canvas left to update.
        }
    }

    private async Task SyncScriptAsync(bool firstRender)
    {
        if (firstRender)
        {
            _module = await JS.InvokeAsync<IJSObjectReference>("import", "./_content/Playground.Client/timeline.js");
            _self = DotNetObjectReference.Create(this);
            if (_module is not null)
            {
                _timeline = await _module.InvokeAsync<IJSObjectReference>("createTimeline", _host, _self, CreateOptions());
                _shownDark = Dark;
                if (_disposed)
                {
                    // Closed while it was being made: nothing may stay behind (a stream, a frame loop, a place in a group).
                    await _timeline.InvokeVoidAsync("dispose");
                    await _timeline.DisposeAsync();
                    _timeline = null;
                    return;
                }
                if (ViewGroup is not null)
                {
                    await _timeline.InvokeVoidAsync("setGroup", ViewGroup);
                }
            }
        }

        if (_timeline is null)
        {
            return;
        }

        var runChanged = !string.Equals(RunId, _shownRunId, StringComparison.Ordinal);
        if (runChanged)
        {
            _shownRunId = RunId;
            _follow = true;
            _marksDrawn = new HashSet<string>(StringComparer.Ordinal);
            _replayAt = null;
            _replayPlaying = false;
            await _timeline.InvokeVoidAsync("watch", RunId, Gauges(), Scenario?.SpanLabels ?? []);
        }

        var marks = MarkedItems is { Count: > 0 } ? MarkedItems.ToArray() : null;
        if (runChanged ? marks is not null : !SameItems(marks, _shownMarks))
        {
            await _timeline.InvokeVoidAsync("markItems", (object?)marks ?? Array.Empty<long>());
        }

        _shownMarks = marks;

        if (Dark != _shownDark)
        {
            _shownDark = Dark;
            await _timeline.InvokeVoidAsync("setTheme", Dark);
        }
    }

    /// <summary>What timeline.js needs to speak the reader's language.</summary>
    internal TimelineOptions CreateOptions()
    {
        var strings = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var s in T.GetAllStrings(includeParentCultures: true))
        {
            strings.TryAdd(s.Name, s.Value);
        }

        return new TimelineOptions(strings, _culture, _helpId, LaneStates.Table, EventKinds.All);
    }

    /// <summary>The scenario's gauges as timeline.js draws them, labelled in the reader's language.</summary>
    internal IReadOnlyList<TimelineGauge> Gauges()
    {
        if (Scenario is not { } scenario)
        {
            return [];
        }

        return scenario.Gauges.Select(g => new TimelineGauge(
            g.Id,
            g.Resource,
            g.Style == GaugeStyle.Band ? "band" : "step",
            Msg.Of(g.LabelKey(scenario.Id)).Format(),
            g.LimitParameter is null ? null : JsTemplate(Msg.Template(g.LimitKey(scenario.Id)) ?? "{n}"),
            g.LimitParameter)).ToList();
    }

    /// <summary>The legend's mark entries for what has been drawn so far, in a fixed order.</summary>
    private IEnumerable<string> MarksInLegend => MarkLegendOrder.Where(_marksDrawn.Contains);

    /// <summary>A mark's legend entry: the scenario's own words for it when it has them ("legend.put.ticket-booking").</summary>
    private string LegendText(string mark)
    {
        if (Scenario is { } scenario)
        {
            var own = T["legend." + mark + "." + scenario.Id];
            if (!own.ResourceNotFound)
            {
                return own.Value;
            }
        }

        return T["legend." + mark];
    }

    // timeline.js fills plain {name} placeholders and formats numbers itself: drop .NET format strings.
    private static string JsTemplate(string template) => FormatSpecifier().Replace(template, "{$1}");

    [GeneratedRegex(@"\{(\w+):[^}]*\}")]
    private static partial Regex FormatSpecifier();

    private static bool SameItems(long[]? a, long[]? b) =>
        a is null || b is null ? a is null && b is null : a.AsSpan().SequenceEqual(b);

    private async Task SetFollowAsync(bool follow)
    {
        _follow = follow;
        if (_timeline is not null)
        {
            await _timeline.InvokeVoidAsync("setFollow", follow);
        }
    }

    private async Task FitAsync()
    {
        _follow = true;
        if (_timeline is not null)
        {
            await _timeline.InvokeVoidAsync("fit");
        }
    }

    private Task ZoomInAsync() => ZoomAsync(1 / ZoomStep);

    private Task ZoomOutAsync() => ZoomAsync(ZoomStep);

    private async Task ZoomAsync(double factor)
    {
        if (_timeline is not null)
        {
            await _timeline.InvokeVoidAsync("zoomBy", factor);
        }
    }

    private Task ReplayAsync(string command, double value = 0) =>
        _timeline is null ? Task.CompletedTask : _timeline.InvokeVoidAsync("replayCommand", command, value).AsTask();

    private Task PlayOrPauseAsync() => _replayPlaying ? ReplayAsync("pause") : ReplayAsync("play", _replaySpeed);

    private Task SeekAsync(double ns)
    {
        _replayAt = ns;
        return ReplayAsync("seek", ns);
    }

    private Task SetSpeedAsync(double speed)
    {
        _replaySpeed = speed;
        return ReplayAsync("speed", speed);
    }

    private Task ExitReplayAsync()
    {
        _replayAt = null;
        _replayPlaying = false;
        return ReplayAsync("exit");
    }

    private string PlayLabel => _replayPlaying ? T["replay.pause"] : _replayAt is { } at && at < _replayEnd ? T["replay.resume"] : T["replay.play"];

    private string ReplayTime => T.Format("replay.time", ("at", Seconds(_replayAt ?? 0)), ("end", Seconds(_replayEnd)));

    private string Seconds(double ns) => T.Format("unit.s", ("value", (ns / 1e9).ToString("0.00", CultureInfo.CurrentCulture)));

    private static string SpeedLabel(double speed) => speed.ToString("0.##", CultureInfo.CurrentCulture) + "×";

    /// <summary>timeline.js's replay moved (a few times a second while it plays): its moment (ns, -1 when it stopped), the run's end, whether it plays.</summary>
    [JSInvokable]
    public Task OnReplay(double at, double end, bool playing) => InvokeAsync(() =>
    {
        _replayAt = at >= 0 && double.IsFinite(at) ? at : null;
        _replayEnd = double.IsFinite(end) ? Math.Max(0, end) : 0;
        _replayPlaying = playing && _replayAt is not null;
        StateHasChanged();
    });

    /// <summary>The user zoomed or panned (follow false), or asked for the whole run (true).</summary>
    [JSInvokable]
    public Task OnViewChanged(bool follow)
    {
        _follow = follow;
        return InvokeAsync(StateHasChanged);
    }

    [JSInvokable]
    public Task OnStreamEnded() => InvokeAsync(() => StreamEnded.InvokeAsync());

    /// <summary>timeline.js drew marks of these legend entries ("put", "fault"...) for the first time in this run.</summary>
    [JSInvokable]
    public Task OnMarksDrawn(string[] keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        return InvokeAsync(() =>
        {
            // Only the entries the legend knows, so a page cannot be made to grow by what the script sends.
            var added = false;
            foreach (var key in keys)
            {
                added |= MarkLegendOrder.Contains(key, StringComparer.Ordinal) && _marksDrawn.Add(key);
            }

            if (added)
            {
                StateHasChanged();
            }
        });
    }

    private bool _disposed;

    public async ValueTask DisposeAsync()
    {
        _disposed = true;
        try
        {
            if (_timeline is not null)
            {
                await _timeline.InvokeVoidAsync("dispose");
                await _timeline.DisposeAsync();
            }

            if (_module is not null)
            {
                await _module.DisposeAsync();
            }
        }
        catch (JSDisconnectedException)
        {
            // The circuit is gone; the browser already dropped its side.
        }
        catch (TaskCanceledException)
        {
            // The circuit is shutting down.
        }

        _self?.Dispose();
    }
}

/// <summary>The options object of timeline.js's createTimeline (serialized camelCase).</summary>
/// <param name="Strings">Every text of the timeline by key, in the reader's language.</param>
/// <param name="Culture">The culture name for number formats ("en", "zh-CN").</param>
/// <param name="DescribedBy">The id of the help text that describes the canvas.</param>
/// <param name="LaneStates">
/// <see cref="Playground.Shared.Events.LaneStates.Table"/>: what each event kind does to a lane, so the
/// spans drawn are the ones the summary measures.
/// </param>
/// <param name="Kinds">Every event kind in order of its number, for kinds that arrive as numbers.</param>
internal sealed record TimelineOptions(
    IReadOnlyDictionary<string, string> Strings,
    string Culture,
    string DescribedBy,
    IReadOnlyDictionary<string, string> LaneStates,
    IReadOnlyList<string> Kinds);

/// <summary>A gauge as timeline.js charts it (serialized camelCase).</summary>
/// <param name="Style">"step" (a count, with its limit line) or "band" (on while the level is 1).</param>
/// <param name="Label">The gauge's name in the reader's language.</param>
/// <param name="LimitLabel">The limit line's label with an {n} placeholder; null when the gauge has no limit.</param>
/// <param name="LimitParameter">The knob of the run whose value is the limit.</param>
internal sealed record TimelineGauge(string Id, string Resource, string Style, string Label, string? LimitLabel, string? LimitParameter);
