using System.Buffers;
using System.IO.Pipelines;
using System.Text.Json;
using Playground.Scenarios.Recording;
using Playground.Shared.Catalog;
using Playground.Shared.Events;

namespace Playground.Server.Exports;

/// <summary>One lane of an exported run: its actor, and the process and thread it is drawn in.</summary>
public sealed record ExportLane(int Actor, string Name, int Pid, int Tid);

/// <summary>A gauge of the run and its name for people.</summary>
public sealed record TraceGauge(GaugeSpec Spec, string Label);

/// <summary>What a trace says around the events: where they ran, what is charted, and the run's facts.</summary>
/// <param name="HorizonNs">Where lanes that never ended are closed: the run's end, or the moment of the export.</param>
/// <param name="Metadata">Facts about the run (strings, numbers, booleans), written as the trace's metadata.</param>
public sealed record TraceSetup(
    int ServerPid,
    string ServerName,
    IReadOnlyList<ExportLane> Lanes,
    IReadOnlyList<TraceGauge> Gauges,
    long HorizonNs,
    IReadOnlyList<KeyValuePair<string, object>> Metadata);

/// <summary>What a written trace holds.</summary>
public sealed record TraceCounts(long Events, long Flows, long FlowsWithoutRoom, long EvictedPuts);

/// <summary>
/// Writes a run's log as Chrome Trace Event JSON (the JSON Object Format) for Perfetto and
/// chrome://tracing, streamed: it reads the merged log once, writes as it goes, and keeps only the
/// open state of each lane and what <see cref="FlowMatcher"/> holds outstanding.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>A lane is a thread (<c>tid</c>) of its actor's process (<c>pid</c>), named by metadata
/// events; the server's own process carries the gauges.</item>
/// <item>Running, sleeping and blocked are complete events (<c>X</c>, category <c>state</c>), made
/// by <see cref="LaneStates"/> exactly as the summary and the tiles make them: one after another on
/// a lane, never overlapping; a blocked span is named by what it waits on.</item>
/// <item>Every instant the tiles count (put, get, acquire, release, set, clear, poll, done, error,
/// mark, crash) is an instant event (<c>i</c>, scope <c>t</c>) with its resource, value and level.</item>
/// <item>Each gauge is a counter (<c>C</c>) named by its label, <c>{"value": level}</c>.</item>
/// <item>Arrows are flow events (<c>s</c>, then <c>f</c> with <c>"bp":"e"</c>, one id each), written
/// in pairs only. A viewer binds a flow event to the slice around it on its thread, so each end
/// gets a slice of its own (category <c>flow</c>, named by the event) from the event to the lane's
/// next event, at most <see cref="AnchorNs"/> long — inside the state span around it — and its flow
/// event lies 1 ns into that slice. An arrow whose end has less than 2 ns before the lane's next
/// event is left out (counted in the metadata).</item>
/// </list>
/// Times are µs since the run's start with ns precision (<c>12.345</c>).
/// </remarks>
public sealed class ChromeTraceWriter
{
    /// <summary>The longest slice an arrow's end gets.</summary>
    public const long AnchorNs = 1_000;

    // Events between two pushes to the client.
    private const int FlushEvery = 1_024;

    private static readonly JsonEncodedText Name = JsonEncodedText.Encode("name");
    private static readonly JsonEncodedText Cat = JsonEncodedText.Encode("cat");
    private static readonly JsonEncodedText Ph = JsonEncodedText.Encode("ph");
    private static readonly JsonEncodedText Ts = JsonEncodedText.Encode("ts");
    private static readonly JsonEncodedText Dur = JsonEncodedText.Encode("dur");
    private static readonly JsonEncodedText Pid = JsonEncodedText.Encode("pid");
    private static readonly JsonEncodedText Tid = JsonEncodedText.Encode("tid");
    private static readonly JsonEncodedText Args = JsonEncodedText.Encode("args");
    private static readonly JsonEncodedText Id = JsonEncodedText.Encode("id");
    private static readonly JsonEncodedText Scope = JsonEncodedText.Encode("s");
    private static readonly JsonEncodedText Resource = JsonEncodedText.Encode("resource");
    private static readonly JsonEncodedText Value = JsonEncodedText.Encode("value");
    private static readonly JsonEncodedText Level = JsonEncodedText.Encode("level");
    private static readonly JsonEncodedText State = JsonEncodedText.Encode("state");
    private static readonly JsonEncodedText StateCategory = JsonEncodedText.Encode("state");
    private static readonly JsonEncodedText EventCategory = JsonEncodedText.Encode("event");
    private static readonly JsonEncodedText GaugeCategory = JsonEncodedText.Encode("gauge");
    private static readonly JsonEncodedText FlowCategory = JsonEncodedText.Encode("flow");
    private static readonly JsonEncodedText ItemFlow = JsonEncodedText.Encode("put → get");
    private static readonly JsonEncodedText PermitFlow = JsonEncodedText.Encode("release → acquire");
    private static readonly JsonEncodedText[] KindNames = [.. EventKinds.All.Select(k => JsonEncodedText.Encode(k))];

    private readonly TraceSetup _setup;
    private readonly Utf8JsonWriter _json;
    private readonly Lane[] _lanes;
    private readonly FlowMatcher _matcher;
    // Which gauges an event of each resource feeds: a run names a handful of resources.
    private readonly Dictionary<string, int[]> _gaugesOf = new(StringComparer.Ordinal);
    private long _flows;
    private long _flowsWithoutRoom;

    private ChromeTraceWriter(IBufferWriter<byte> output, TraceSetup setup, int maxOutstanding)
    {
        _setup = setup;
        _json = new Utf8JsonWriter(output, new JsonWriterOptions { SkipValidation = true });
        _lanes = [.. setup.Lanes.Select(l => new Lane(l))];
        _matcher = new FlowMatcher(setup.Lanes.Count, maxOutstanding);
    }

    /// <summary>
    /// Writes the trace of <paramref name="events"/> (the run's log merged in time order, each
    /// actor an index into <see cref="TraceSetup.Lanes"/>) to <paramref name="output"/>, pushing it
    /// to the reader every thousand events or so.
    /// </summary>
    /// <param name="toNanoseconds">A raw timestamp of the log to ns since the run's start.</param>
    public static async Task<TraceCounts> WriteAsync(PipeWriter output, TraceSetup setup, IEnumerable<RawEvent> events,
        Func<long, long> toNanoseconds, CancellationToken cancellationToken, int maxOutstanding = FlowMatcher.DefaultMaxOutstanding)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(setup);
        ArgumentNullException.ThrowIfNull(events);
        ArgumentNullException.ThrowIfNull(toNanoseconds);
        var trace = new ChromeTraceWriter(output, setup, maxOutstanding);
        await using (trace._json)
        {
            trace.WriteStart();
            long count = 0;
            var last = long.MinValue;
            foreach (var e in events)
            {
                var ns = toNanoseconds(e.Timestamp);
                last = Math.Max(last, ns);
                trace.Write(e, ns);
                if (++count % FlushEvery == 0 && !await PushAsync(trace._json, output, cancellationToken))
                {
                    return new TraceCounts(count, trace._flows, trace._flowsWithoutRoom, trace._matcher.EvictedPuts);
                }
            }

            // The present is never before an event already recorded.
            trace.WriteEnd(Math.Max(setup.HorizonNs, last), count);
            await PushAsync(trace._json, output, cancellationToken);
            return new TraceCounts(count, trace._flows, trace._flowsWithoutRoom, trace._matcher.EvictedPuts);
        }
    }

    /// <summary>Hands what is written to the client; false when it has gone.</summary>
    internal static async ValueTask<bool> PushAsync(Utf8JsonWriter json, PipeWriter output, CancellationToken cancellationToken)
    {
        json.Flush();
        var result = await output.FlushAsync(cancellationToken);
        return !result.IsCanceled && !result.IsCompleted;
    }

    private void WriteStart()
    {
        _json.WriteStartObject();
        _json.WriteString("displayTimeUnit", "ns");
        _json.WritePropertyName("traceEvents");
        _json.WriteStartArray();

        // Processes: the server's first (it carries the gauges), then each child once, in lane order.
        WriteMetadata("process_name", _setup.ServerPid, _setup.ServerPid, "name", _setup.ServerName);
        WriteMetadata("process_sort_index", _setup.ServerPid, _setup.ServerPid, "sort_index", 0);
        var named = new HashSet<int> { _setup.ServerPid };
        foreach (var lane in _setup.Lanes)
        {
            if (named.Add(lane.Pid))
            {
                WriteMetadata("process_name", lane.Pid, lane.Pid, "name", lane.Name);
                WriteMetadata("process_sort_index", lane.Pid, lane.Pid, "sort_index", lane.Actor + 1);
            }

            WriteMetadata("thread_name", lane.Pid, lane.Tid, "name", lane.Name);
            WriteMetadata("thread_sort_index", lane.Pid, lane.Tid, "sort_index", lane.Actor);
        }
    }

    private void WriteMetadata(string name, int pid, int tid, string arg, object value)
    {
        _json.WriteStartObject();
        _json.WriteString(Name, name);
        _json.WriteString(Ph, "M");
        _json.WriteNumber(Pid, pid);
        _json.WriteNumber(Tid, tid);
        _json.WriteStartObject(Args);
        WriteValue(arg, value);
        _json.WriteEndObject();
        _json.WriteEndObject();
    }

    private void Write(in RawEvent e, long ns)
    {
        if ((uint)e.Actor >= (uint)_lanes.Length)
        {
            return;
        }

        var lane = _lanes[e.Actor];

        // This event tells how long the lane's previous one lasted: an arrow there may now be drawn.
        if (lane.Last is { } previous)
        {
            Resolve(previous, ns - previous.Ns);
            lane.Last = null;
        }

        var before = lane.State;
        var after = LaneStates.Next(before, e.Kind);
        if (after != before)
        {
            WriteSpan(lane, ns);
            lane.State = after;
            lane.Since = ns;
            lane.EnteredBy = e;
        }

        if (TileIndex.CountsAsInstant(e.Kind))
        {
            WriteInstant(lane, e, ns);
        }

        if (e.Level >= 0 && e.Resource is { } resource)
        {
            foreach (var g in GaugesOf(resource))
            {
                WriteCounter(_setup.Gauges[g].Label, ns, e.Level);
            }
        }

        var endpoint = FlowEndpoint.IsEndpointKind(e.Kind) ? new FlowEndpoint(e.Actor, ns, e.Kind, e.Resource, e.Value, e.Level) : null;
        if (_matcher.Observe(e.Actor, e.Kind, e.Resource, ns, endpoint) is { } from)
        {
            var pair = new FlowPair(from, endpoint!);
            from.Waiting = from.Gap < 0 ? pair : null;
            endpoint!.Waiting = pair;
        }

        lane.Last = endpoint;
    }

    private void WriteEnd(long horizon, long count)
    {
        foreach (var lane in _lanes)
        {
            if (lane.Last is { } last)
            {
                Resolve(last, Math.Max(0, horizon - last.Ns));
                lane.Last = null;
            }

            WriteSpan(lane, horizon);
        }

        _json.WriteEndArray();
        _json.WriteStartObject("metadata");
        foreach (var (key, value) in _setup.Metadata)
        {
            WriteValue(key, value);
        }

        _json.WriteNumber("events", count);
        _json.WriteNumber("flows", _flows);
        _json.WriteNumber("flowsLeftOut", _flowsWithoutRoom + _matcher.EvictedPuts);
        _json.WriteEndObject();
        _json.WriteEndObject();
    }

    /// <summary>Closes the lane's open span at <paramref name="end"/>, if it is a state worth a span.</summary>
    private void WriteSpan(Lane lane, long end)
    {
        if (lane.State is not (LaneState.Running or LaneState.Sleeping or LaneState.Blocked) || end <= lane.Since)
        {
            return;
        }

        var by = lane.EnteredBy;
        _json.WriteStartObject();
        _json.WriteString(Name, lane.State == LaneState.Blocked && by.Resource is { } on ? "blocked on " + on : lane.State.Name());
        _json.WriteString(Cat, StateCategory);
        _json.WriteString(Ph, "X");
        WriteTime(Ts, lane.Since);
        WriteTime(Dur, end - lane.Since);
        _json.WriteNumber(Pid, lane.Info.Pid);
        _json.WriteNumber(Tid, lane.Info.Tid);
        _json.WriteStartObject(Args);
        _json.WriteString(State, lane.State.Name());
        // The event that began the span: what the lane started doing, waiting on, or sleeping for.
        _json.WriteString("by", KindNames[(int)by.Kind]);
        WriteEventArgs(by.Resource, by.Value, by.Level);
        _json.WriteEndObject();
        _json.WriteEndObject();
    }

    private void WriteInstant(Lane lane, in RawEvent e, long ns)
    {
        _json.WriteStartObject();
        _json.WriteString(Name, KindNames[(int)e.Kind]);
        _json.WriteString(Cat, EventCategory);
        _json.WriteString(Ph, "i");
        _json.WriteString(Scope, "t");
        WriteTime(Ts, ns);
        _json.WriteNumber(Pid, lane.Info.Pid);
        _json.WriteNumber(Tid, lane.Info.Tid);
        _json.WriteStartObject(Args);
        WriteEventArgs(e.Resource, e.Value, e.Level);
        _json.WriteEndObject();
        _json.WriteEndObject();
    }

    private void WriteCounter(string label, long ns, long level)
    {
        _json.WriteStartObject();
        _json.WriteString(Name, label);
        _json.WriteString(Cat, GaugeCategory);
        _json.WriteString(Ph, "C");
        WriteTime(Ts, ns);
        _json.WriteNumber(Pid, _setup.ServerPid);
        _json.WriteStartObject(Args);
        _json.WriteNumber(Value, level);
        _json.WriteEndObject();
        _json.WriteEndObject();
    }

    private void WriteEventArgs(string? resource, long value, long level)
    {
        if (resource is not null)
        {
            _json.WriteString(Resource, resource);
        }

        _json.WriteNumber(Value, value);
        if (level >= 0)
        {
            _json.WriteNumber(Level, level);
        }
    }

    /// <summary>Sets how long <paramref name="endpoint"/>'s moment lasts, and draws its arrow once both ends know theirs.</summary>
    private void Resolve(FlowEndpoint endpoint, long gap)
    {
        endpoint.Gap = gap;
        if (endpoint.Waiting is not { Ready: true } pair)
        {
            return;
        }

        pair.From.Waiting = null;
        pair.To.Waiting = null;
        var fromDuration = Math.Min(AnchorNs, pair.From.Gap);
        var toDuration = Math.Min(AnchorNs, pair.To.Gap);
        if (fromDuration < 2 || toDuration < 2)
        {
            _flowsWithoutRoom++;
            return;
        }

        var id = ++_flows;
        var name = pair.To.Kind == EventKind.Get ? ItemFlow : PermitFlow;
        WriteAnchor(pair.From, fromDuration, id);
        WriteAnchor(pair.To, toDuration, id);
        WriteFlow(pair.From, "s", name, id);
        WriteFlow(pair.To, "f", name, id);
    }

    private void WriteAnchor(FlowEndpoint endpoint, long duration, long id)
    {
        var lane = _lanes[endpoint.Actor].Info;
        _json.WriteStartObject();
        _json.WriteString(Name, KindNames[(int)endpoint.Kind]);
        _json.WriteString(Cat, FlowCategory);
        _json.WriteString(Ph, "X");
        WriteTime(Ts, endpoint.Ns);
        WriteTime(Dur, duration);
        _json.WriteNumber(Pid, lane.Pid);
        _json.WriteNumber(Tid, lane.Tid);
        _json.WriteStartObject(Args);
        WriteEventArgs(endpoint.Resource, endpoint.Value, endpoint.Level);
        _json.WriteNumber("flow", id);
        _json.WriteEndObject();
        _json.WriteEndObject();
    }

    private void WriteFlow(FlowEndpoint endpoint, string phase, JsonEncodedText name, long id)
    {
        var lane = _lanes[endpoint.Actor].Info;
        _json.WriteStartObject();
        _json.WriteString(Name, name);
        _json.WriteString(Cat, FlowCategory);
        _json.WriteString(Ph, phase);
        _json.WriteNumber(Id, id);
        // 1 ns into the end's own slice: inside it, whatever order a viewer reads equal times in.
        WriteTime(Ts, endpoint.Ns + 1);
        _json.WriteNumber(Pid, lane.Pid);
        _json.WriteNumber(Tid, lane.Tid);
        if (phase == "f")
        {
            _json.WriteString("bp", "e");
        }

        _json.WriteEndObject();
    }

    private int[] GaugesOf(string resource)
    {
        if (!_gaugesOf.TryGetValue(resource, out var gauges))
        {
            gauges = [.. Enumerable.Range(0, _setup.Gauges.Count).Where(g => _setup.Gauges[g].Spec.Matches(resource))];
            _gaugesOf[resource] = gauges;
        }

        return gauges;
    }

    /// <summary>ns as µs with exactly three decimals: a viewer reading it back gets the ns exactly.</summary>
    private void WriteTime(JsonEncodedText property, long ns) => _json.WriteNumber(property, Microseconds(ns));

    internal static decimal Microseconds(long ns)
    {
        var magnitude = ns < 0 ? (ulong)-ns : (ulong)ns;
        return new decimal((int)(uint)magnitude, (int)(uint)(magnitude >> 32), 0, ns < 0, 3);
    }

    private void WriteValue(string property, object value)
    {
        switch (value)
        {
            case string s:
                _json.WriteString(property, s);
                break;
            case bool b:
                _json.WriteBoolean(property, b);
                break;
            case int i:
                _json.WriteNumber(property, i);
                break;
            case long l:
                _json.WriteNumber(property, l);
                break;
            case double d:
                _json.WriteNumber(property, d);
                break;
            default:
                _json.WriteString(property, Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture));
                break;
        }
    }

    private sealed class Lane(ExportLane info)
    {
        public ExportLane Info { get; } = info;
        public LaneState State = LaneState.Idle;
        public long Since;
        public RawEvent EnteredBy;
        // The lane's latest event, when an arrow may start or end there and so needs to know how long it lasts.
        public FlowEndpoint? Last;
    }
}
