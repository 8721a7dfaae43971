using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.Localization;
using Microsoft.JSInterop;
using MudBlazor;
using Playground.Client.Resources;
using Playground.Shared.Runs;

namespace Playground.Client.Services;

/// <summary>Copies a link to the reader's clipboard and says so, or says where to copy it by hand.</summary>
public static class Clipboard
{
    public static async Task CopyAsync(IJSRuntime js, ISnackbar snackbar, string text, string copied, string unavailable)
    {
        ArgumentNullException.ThrowIfNull(js);
        ArgumentNullException.ThrowIfNull(snackbar);
        try
        {
            await js.InvokeVoidAsync("navigator.clipboard.writeText", text);
            snackbar.Add(copied, Severity.Success);
        }
        catch (Exception ex) when (ex is JSException or InvalidOperationException)
        {
            // No clipboard (an insecure origin, a refused permission): the link is in a field beside the button.
            snackbar.Add(unavailable, Severity.Info);
        }
    }

    /// <summary>Copies the watch link of a run, <c>/runs/{id}</c> on this site: anyone who opens it watches that very run.</summary>
    public static Task CopyWatchLinkAsync(IJSRuntime js, ISnackbar snackbar, NavigationManager navigation, IStringLocalizer<Ui> text, string runId)
    {
        ArgumentNullException.ThrowIfNull(navigation);
        ArgumentNullException.ThrowIfNull(text);
        var link = navigation.ToAbsoluteUri(SavedRunInfo.PermalinkOf(Uri.EscapeDataString(runId)).TrimStart('/')).ToString();
        return CopyAsync(js, snackbar, link, text["play.linkCopied"], text["play.clipboardUnavailable"]);
    }
}
