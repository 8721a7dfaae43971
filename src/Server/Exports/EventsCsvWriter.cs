using System.Globalization;
using System.IO.Pipelines;
using System.Text;
using Playground.Scenarios.Recording;
using Playground.Shared.Events;

namespace Playground.Server.Exports;

/// <summary>
/// Writes a run's log as CSV (RFC 4180: a header line, CRLF line ends, a field with a comma, a quote
/// or a line break quoted, its quotes doubled), one row per event in time order, streamed a
/// thousand rows at a time.
/// </summary>
public static class EventsCsvWriter
{
    public const string Header = "t_ns,actor,actor_name,pid,kind,resource,value,level";

    private const int RowsPerPush = 1_024;

    /// <summary>Writes every event of <paramref name="events"/>; returns the rows written.</summary>
    public static async Task<long> WriteAsync(PipeWriter output, IReadOnlyList<ExportLane> lanes, IEnumerable<RawEvent> events,
        Func<long, long> toNanoseconds, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(lanes);
        ArgumentNullException.ThrowIfNull(events);
        ArgumentNullException.ThrowIfNull(toNanoseconds);
        // Names are quoted once, not per row.
        var names = lanes.Select(l => Field(l.Name)).ToArray();
        var text = new StringBuilder(128 * RowsPerPush);
        text.Append(Header).Append("\r\n");
        long rows = 0;
        foreach (var e in events)
        {
            var pid = (uint)e.Actor < (uint)lanes.Count ? lanes[e.Actor].Pid : 0;
            var name = (uint)e.Actor < (uint)names.Length ? names[e.Actor] : "";
            text.Append(CultureInfo.InvariantCulture, $"{toNanoseconds(e.Timestamp)},{e.Actor},{name},{pid},{e.Kind.Name()},")
                .Append(Field(e.Resource))
                .Append(CultureInfo.InvariantCulture, $",{e.Value},{e.Level}\r\n");
            if (++rows % RowsPerPush == 0 && !await PushAsync(text, output, cancellationToken))
            {
                return rows;
            }
        }

        await PushAsync(text, output, cancellationToken);
        return rows;
    }

    /// <summary>A field as RFC 4180 writes it: quoted only when it must be.</summary>
    public static string Field(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return "";
        }

        return value.AsSpan().IndexOfAny(",\"\r\n") < 0 ? value : "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
    }

    private static async ValueTask<bool> PushAsync(StringBuilder text, PipeWriter output, CancellationToken cancellationToken)
    {
        // One encoder across the builder's chunks, which may split a character's two halves.
        var encoder = Encoding.UTF8.GetEncoder();
        foreach (var chunk in text.GetChunks())
        {
            encoder.Convert(chunk.Span, output, flush: false, out _, out _);
        }

        encoder.Convert([], output, flush: true, out _, out _);

        text.Clear();
        var result = await output.FlushAsync(cancellationToken);
        return !result.IsCanceled && !result.IsCompleted;
    }
}
