using Playground.Shared.Events;

namespace Playground.Scenarios.Recording;

/// <summary>An event as an actor records it: the raw monotonic timestamp, converted on read.</summary>
public readonly record struct RawEvent(long Timestamp, int Actor, EventKind Kind, string? Resource, long Value, long Level);
