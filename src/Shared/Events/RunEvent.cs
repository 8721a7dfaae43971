namespace Playground.Shared.Events;

/// <summary>
/// One recorded event of a run, as the API and the hub send it.
/// </summary>
/// <param name="T">Nanoseconds since the run started, on the machine's monotonic clock.</param>
/// <param name="Actor">The actor's index in the run's actor list.</param>
/// <param name="Kind">What happened, in lower case ("put", "wait", ...).</param>
/// <param name="Resource">The resource involved ("queue", "queue:full", ...), if any.</param>
/// <param name="Value">The item id, count or code the event is about.</param>
/// <param name="Level">The resource's level after the event (queue depth...), or -1.</param>
public sealed record RunEventDto(long T, int Actor, string Kind, string? Resource, long Value, long Level);
