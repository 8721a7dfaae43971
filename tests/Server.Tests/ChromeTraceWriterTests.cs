using System.Diagnostics;
using System.IO.Pipelines;
using Playground.Scenarios.Recording;
using Playground.Server.Exports;
using Playground.Server.Tests.Infrastructure;
using Playground.Shared.Catalog;
using Playground.Shared.Events;

namespace Playground.Server.Tests;

/// <summary>The trace writer on logs written by hand: it streams, and it draws an arrow only where a viewer can bind it.</summary>
public sealed class ChromeTraceWriterTests
{
    private static readonly TraceSetup Setup = new(
        ServerPid: 1,
        ServerName: "server",
        Lanes: [new ExportLane(0, "producer-1", 100, 100), new ExportLane(1, "consumer-1", 101, 101)],
        Gauges: [new TraceGauge(new GaugeSpec { Id = "depth", Resource = "queue" }, "Queue depth")],
        HorizonNs: 0,
        Metadata: [new("run", "test")]);

    /// <summary>A raw timestamp <paramref name="ns"/> after the recorder's start.</summary>
    private static long At(EventRecorder recorder, long ns) => recorder.StartTimestamp + (long)(ns * (Stopwatch.Frequency / 1e9));

    [Fact(Timeout = 30_000)]
    public async Task A_large_log_reaches_the_reader_in_many_small_pushes_with_every_arrow()
    {
        const int items = 20_000;
        using var recorder = new EventRecorder(2, 1_000_000);
        var producer = recorder[0];
        var consumer = recorder[1];
        producer.RecordAt(At(recorder, 1), EventKind.Start, null, 0, -1);
        consumer.RecordAt(At(recorder, 2), EventKind.Start, null, 0, -1);
        for (var i = 0; i < items; i++)
        {
            var t = 1_000L * (i + 1);
            producer.RecordAt(At(recorder, t), EventKind.Work, "make", i, -1);
            producer.RecordAt(At(recorder, t + 200), EventKind.Put, "queue", i, 1);
            consumer.RecordAt(At(recorder, t + 500), EventKind.Get, "queue", i, 0);
            consumer.RecordAt(At(recorder, t + 600), EventKind.Work, "eat", i, -1);
        }

        // The reader sees at most a quarter MB waiting at a time, as a slow client would.
        var pipe = new Pipe(new PipeOptions(pauseWriterThreshold: 256 * 1024, resumeWriterThreshold: 128 * 1024, useSynchronizationContext: false));
        var reading = ReadAllAsync(pipe.Reader);

        var counts = await ChromeTraceWriter.WriteAsync(pipe.Writer, Setup, recorder.Enumerate(), recorder.ToNanoseconds, CancellationToken.None);
        await pipe.Writer.CompleteAsync();
        var (bytes, reads, largest) = await reading;

        Assert.Equal(recorder.Count, counts.Events);
        Assert.Equal(items, counts.Flows);
        Assert.True(bytes.Length > 8_000_000, $"{bytes.Length} bytes");
        Assert.True(reads > 20, $"the trace came in {reads} reads");
        Assert.True(largest <= 1_024 * 1024, $"{largest} bytes were waiting at once");
        var trace = await TraceFile.ReadAsync(new MemoryStream(bytes));
        Assert.Equal(items, trace.Phase("s").Count());
        Assert.Equal(items, trace.Phase("f").Select(f => f.Id).Distinct().Count());
        Assert.Equal(items, trace.Phase("C").Count(c => c.Name == "Queue depth") / 2);
        Assert.Equal("test", trace.Metadata.GetProperty("run").GetString());
    }

    [Fact(Timeout = 30_000)]
    public async Task An_end_with_less_than_2_ns_before_its_lanes_next_event_gets_no_arrow_and_both_halves_are_left_out()
    {
        using var recorder = new EventRecorder(2, 100_000);
        var producer = recorder[0];
        var consumer = recorder[1];
        producer.RecordAt(At(recorder, 10), EventKind.Start, null, 0, -1);
        consumer.RecordAt(At(recorder, 20), EventKind.Start, null, 0, -1);
        producer.RecordAt(At(recorder, 1_000), EventKind.Put, "queue", 1, 1);
        producer.RecordAt(At(recorder, 1_001), EventKind.Put, "queue", 2, 2);
        consumer.RecordAt(At(recorder, 2_000), EventKind.Get, "queue", 1, 1);
        consumer.RecordAt(At(recorder, 3_000), EventKind.Get, "queue", 2, 0);
        producer.RecordAt(At(recorder, 4_000), EventKind.End, null, 0, -1);
        consumer.RecordAt(At(recorder, 4_000), EventKind.End, null, 0, -1);
        var pipe = new Pipe();

        var counts = await ChromeTraceWriter.WriteAsync(pipe.Writer, Setup, recorder.Enumerate(), recorder.ToNanoseconds, CancellationToken.None);
        await pipe.Writer.CompleteAsync();
        var trace = await TraceFile.ReadAsync(pipe.Reader.AsStream());

        Assert.Equal((1L, 1L), (counts.Flows, counts.FlowsWithoutRoom));
        var start = Assert.Single(trace.Phase("s"));
        var end = Assert.Single(trace.Phase("f"));
        Assert.Equal((1_002L, 3_001L), (start.Ts, end.Ts));
        Assert.Equal(1, trace.Metadata.GetProperty("flowsLeftOut").GetInt64());
        Assert.Equal(4, trace.Phase("i").Count());
        // The producer's first put lasted 1 ns; its second's slice runs to the lane's end event, at most 1 µs.
        Assert.Equal(1_000, Assert.Single(trace.Events, e => e.Ph == "X" && e.Cat == "flow" && e.Tid == 100).Dur);
        // Spans: start to end on each lane, one each.
        Assert.Equal([(10L, 3_990L)], trace.Spans((100, 100)).Select(s => (s.Ts, s.Dur)));
        Assert.Equal([(20L, 3_980L)], trace.Spans((101, 101)).Select(s => (s.Ts, s.Dur)));
    }

    private static async Task<(byte[] Bytes, int Reads, long Largest)> ReadAllAsync(PipeReader reader)
    {
        using var all = new MemoryStream();
        var reads = 0;
        long largest = 0;
        while (true)
        {
            var result = await reader.ReadAsync();
            reads++;
            largest = Math.Max(largest, result.Buffer.Length);
            foreach (var segment in result.Buffer)
            {
                all.Write(segment.Span);
            }

            reader.AdvanceTo(result.Buffer.End);
            if (result.IsCompleted)
            {
                break;
            }
        }

        await reader.CompleteAsync();
        return (all.ToArray(), reads, largest);
    }
}
