using MudBlazor;

namespace Playground.Client.Layout;

/// <summary>The site's light and dark palettes; every text colour meets 4.5:1 on its background.</summary>
public static class SiteThemes
{
    public static MudTheme Theme { get; } = new()
    {
        PaletteLight = new PaletteLight
        {
            Primary = "#3949ab",
            Secondary = "#00695c",
            Info = "#0d62b0",
            Success = "#2e7d32",
            Warning = "#8a5300",
            Error = "#c62828",
            AppbarBackground = "#283593",
            Background = "#f5f6fa",
            TextPrimary = "rgba(0,0,0,0.87)",
            TextSecondary = "rgba(0,0,0,0.70)",
            ActionDefault = "rgba(0,0,0,0.70)",
        },
        PaletteDark = new PaletteDark
        {
            Primary = "#9fa8da",
            Secondary = "#4db6ac",
            Info = "#64b5f6",
            Success = "#81c784",
            Warning = "#ffb74d",
            Error = "#ef9a9a",
            // Light colours carry dark text, so filled buttons, chips and alerts stay readable.
            PrimaryContrastText = "rgba(0,0,0,0.87)",
            SecondaryContrastText = "rgba(0,0,0,0.87)",
            InfoContrastText = "rgba(0,0,0,0.87)",
            SuccessContrastText = "rgba(0,0,0,0.87)",
            WarningContrastText = "rgba(0,0,0,0.87)",
            ErrorContrastText = "rgba(0,0,0,0.87)",
            AppbarBackground = "#1a237e",
            AppbarText = "#ffffff",
            Background = "#121318",
            Surface = "#1d1f27",
            DrawerBackground = "#1d1f27",
            TextPrimary = "rgba(255,255,255,0.92)",
            TextSecondary = "rgba(255,255,255,0.74)",
            ActionDefault = "rgba(255,255,255,0.80)",
            LinesDefault = "rgba(255,255,255,0.16)",
        },
        Typography = new Typography
        {
            Default = new DefaultTypography
            {
                FontFamily = ["Roboto", "Helvetica", "Arial", "\"Noto Sans CJK SC\"", "\"PingFang SC\"", "\"Microsoft YaHei\"", "sans-serif"],
            },
        },
    };
}
