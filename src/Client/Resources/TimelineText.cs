namespace Playground.Client.Resources;

/// <summary>
/// Names the timeline's texts for <c>IStringLocalizer&lt;TimelineText&gt;</c>: the resources
/// TimelineText.resx (English) and TimelineText.zh-CN.resx next to this file.
/// </summary>
public sealed class TimelineText;
