using Microsoft.JSInterop;
using MudBlazor;

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
}
