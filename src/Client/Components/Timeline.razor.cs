using System.Globalization;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.Localization;
using Microsoft.JSInterop;
using Playground.Client.Resources;

namespace Playground.Client.Components;

/// <summary>
/// The live timeline of a run: a canvas drawn by timeline.js, which streams the run's events from
/// the runs hub itself. This component passes it the run, the texts in the reader's language, the
/// items to highlight and the theme, and keeps the toolbar in step with the view.
/// </summary>
public sealed partial class Timeline : IAsyncDisposable
{
    private const double ZoomStep = 1.5;
    private static int s_instances;

    private readonly string _helpId = "timeline-help-" + Interlocked.Increment(ref s_instances).ToString(CultureInfo.InvariantCulture);
    private readonly string _culture = CultureInfo.CurrentUICulture.Name;
    private ElementReference _host;
    private IJSObjectReference? _module;
    private IJSObjectReference? _timeline;
    private DotNetObjectReference<Timeline>? _self;
    private string? _shownRunId;
    private long[]? _shownMarks;
    private bool? _shownDark;
    private bool _follow = true;

    [Inject] private IJSRuntime JS { get; set; } = default!;

    // The timeline's own texts (TimelineText.resx); L is the page texts.
    [Inject] private IStringLocalizer<TimelineText> T { get; set; } = default!;

    /// <summary>The run to draw; a new id closes the old stream and opens a new one.</summary>
    [Parameter] public string? RunId { get; set; }

    /// <summary>Raised when the stream delivered the final batch (or ended).</summary>
    [Parameter] public EventCallback StreamEnded { get; set; }

    /// <summary>
    /// Items to point out on the timeline, such as those a run lost: every put of them is ringed
    /// and its tooltip says it was never eaten. Null or empty marks nothing.
    /// </summary>
    [Parameter] public IReadOnlyList<long>? MarkedItems { get; set; }

    /// <summary>True for the dark palette, false for the light one; null takes the palette of a surrounding <c>.theme-dark</c>.</summary>
    [Parameter] public bool? Dark { get; set; }

    private string RootClass => "timeline-root " + Dark switch
    {
        true => "timeline-dark",
        false => "timeline-light",
        null => "",
    };

    protected override async Task OnAfterRenderAsync(bool firstRender)
    {
        if (firstRender)
        {
            _module = await JS.InvokeAsync<IJSObjectReference>("import", "./_content/Playground.Client/timeline.js");
            _self = DotNetObjectReference.Create(this);
            if (_module is not null)
            {
                _timeline = await _module.InvokeAsync<IJSObjectReference>("createTimeline", _host, _self, CreateOptions());
                _shownDark = Dark;
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
            await _timeline.InvokeVoidAsync("watch", RunId);
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

        return new TimelineOptions(strings, _culture, _helpId);
    }

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

    /// <summary>The user zoomed or panned (follow false), or asked for the whole run (true).</summary>
    [JSInvokable]
    public Task OnViewChanged(bool follow)
    {
        _follow = follow;
        return InvokeAsync(StateHasChanged);
    }

    [JSInvokable]
    public Task OnStreamEnded() => InvokeAsync(() => StreamEnded.InvokeAsync());

    public async ValueTask DisposeAsync()
    {
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
internal sealed record TimelineOptions(IReadOnlyDictionary<string, string> Strings, string Culture, string DescribedBy);
