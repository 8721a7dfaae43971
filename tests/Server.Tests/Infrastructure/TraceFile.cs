using System.Text.Json;

namespace Playground.Server.Tests.Infrastructure;

/// <summary>One event of a Chrome trace, its times back in ns.</summary>
public sealed record TraceEvent(string Ph, string Name, string? Cat, long Ts, long Dur, int Pid, int Tid, long? Id, string? Bp, string? Scope, JsonElement Args)
{
    public (int Pid, int Tid) Track => (Pid, Tid);

    public long End => Ts + Dur;

    public string? Resource => Args.ValueKind == JsonValueKind.Object && Args.TryGetProperty("resource", out var r) ? r.GetString() : null;

    public long Value => Args.GetProperty("value").GetInt64();
}

/// <summary>A Chrome Trace Event JSON file read whole, for checking (the server writes it streamed).</summary>
public sealed class TraceFile
{
    private TraceFile(List<TraceEvent> events, JsonElement metadata, string displayTimeUnit)
    {
        Events = events;
        Metadata = metadata;
        DisplayTimeUnit = displayTimeUnit;
    }

    public IReadOnlyList<TraceEvent> Events { get; }

    public JsonElement Metadata { get; }

    public string DisplayTimeUnit { get; }

    public static async Task<TraceFile> ReadAsync(Stream stream)
    {
        using var document = await JsonDocument.ParseAsync(stream);
        var root = document.RootElement;
        var events = new List<TraceEvent>();
        foreach (var e in root.GetProperty("traceEvents").EnumerateArray())
        {
            events.Add(new TraceEvent(
                e.GetProperty("ph").GetString()!,
                e.GetProperty("name").GetString()!,
                e.TryGetProperty("cat", out var cat) ? cat.GetString() : null,
                e.TryGetProperty("ts", out var ts) ? Nanoseconds(ts) : 0,
                e.TryGetProperty("dur", out var dur) ? Nanoseconds(dur) : 0,
                e.GetProperty("pid").GetInt32(),
                e.TryGetProperty("tid", out var tid) ? tid.GetInt32() : e.GetProperty("pid").GetInt32(),
                e.TryGetProperty("id", out var id) ? id.GetInt64() : null,
                e.TryGetProperty("bp", out var bp) ? bp.GetString() : null,
                e.TryGetProperty("s", out var scope) ? scope.GetString() : null,
                e.TryGetProperty("args", out var args) ? args.Clone() : default));
        }

        return new TraceFile(events, root.GetProperty("metadata").Clone(), root.GetProperty("displayTimeUnit").GetString()!);
    }

    /// <summary>µs with decimals back to ns, exactly (as Perfetto reads them).</summary>
    private static long Nanoseconds(JsonElement micros)
    {
        var ns = micros.GetDecimal() * 1000m;
        Assert.True(ns == decimal.Truncate(ns), $"{micros} µs is not a whole number of ns");
        return (long)ns;
    }

    public IEnumerable<TraceEvent> Phase(string ph) => Events.Where(e => e.Ph == ph);

    /// <summary>The running / sleeping / blocked spans of one track, in time order.</summary>
    public List<TraceEvent> Spans((int Pid, int Tid) track) =>
        [.. Events.Where(e => e.Ph == "X" && e.Cat == "state" && e.Track == track).OrderBy(e => e.Ts)];

    /// <summary>The instant of an arrow's end: the flow event lies 1 ns after it on the same track.</summary>
    public TraceEvent InstantAt(TraceEvent flow)
    {
        var instants = Events.Where(e => e.Ph == "i" && e.Track == flow.Track && e.Ts == flow.Ts - 1).ToList();
        return Assert.Single(instants);
    }
}
