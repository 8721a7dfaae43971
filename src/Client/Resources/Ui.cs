namespace Playground.Client.Resources;

/// <summary>The page texts (<c>Ui.resx</c>, <c>Ui.zh-CN.resx</c>), read through <c>IStringLocalizer&lt;Ui&gt;</c>.</summary>
public sealed class Ui;
