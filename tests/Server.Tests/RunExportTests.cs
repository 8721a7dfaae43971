using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Playground.Server.Exports;
using Playground.Server.Tests.Infrastructure;
using Playground.Shared.Catalog;
using Playground.Shared.Runs;

namespace Playground.Server.Tests;

/// <summary>GET /api/runs/{id}/trace and /events.csv: real runs' logs as Chrome traces and CSV.</summary>
public sealed class RunExportTests(PlaygroundHost host) : IClassFixture<PlaygroundHost>
{
    [Fact(Timeout = 90_000)]
    public async Task A_processes_mode_trace_draws_each_child_under_its_real_pid_with_an_arrow_from_each_put_to_the_get_of_its_item()
    {
        var http = host.CreateApiClient(nameof(A_processes_mode_trace_draws_each_child_under_its_real_pid_with_an_arrow_from_each_put_to_the_get_of_its_item));
        var id = await http.StartRunAsync(new Dictionary<string, object>
        {
            ["mode"] = RunModes.Processes, ["producers"] = 2, ["consumers"] = 2, ["items"] = 12, ["timeScale"] = 0.01,
        });
        var run = await http.WaitForFinalAsync(id);
        Assert.True(run.State == RunState.Completed, $"{run.State}: {run.Reason}");
        var pids = run.Actors.Select(a => a.Pid).ToList();
        Assert.All(pids, pid => Assert.True(pid > 0 && pid != Environment.ProcessId, $"pid {pid} is not a child's"));
        Assert.Equal(pids.Count, pids.Distinct().Count());

        var (trace, headers) = await GetTraceAsync(http, run);

        Assert.Equal("true", headers["X-Export-Complete"]);
        Assert.Equal("completed", headers["X-Run-State"]);
        var lanes = TraceChecks.AssertLanes(trace, run, a => a.Pid);
        var arrows = TraceChecks.AssertWellFormed(trace, run, lanes);
        TraceChecks.AssertItemArrows(trace, arrows);
        // Every item and a stop marker per consumer, each from a producer's lane to a consumer's.
        Assert.Equal((2 * 12) + 2, arrows.Count(a => a.Name == TraceChecks.ItemArrow));
        var producers = run.Actors.Where(a => a.Role == "producer").Select(a => lanes[a.Id]).ToHashSet();
        Assert.All(arrows, a => Assert.Contains(a.From.Track, producers));
        TraceChecks.AssertGauge(trace, run);
        Assert.Equal(run.Summary!.EventCount, trace.Metadata.GetProperty("events").GetInt64());
        Assert.True(trace.Metadata.GetProperty("complete").GetBoolean());
        Assert.Equal(id, trace.Metadata.GetProperty("run").GetString());
    }

    [Fact(Timeout = 60_000)]
    public async Task A_threads_mode_trace_draws_every_actor_as_a_thread_of_the_server()
    {
        var http = host.CreateApiClient(nameof(A_threads_mode_trace_draws_every_actor_as_a_thread_of_the_server));
        var id = await http.StartRunAsync(new Dictionary<string, object>
        {
            ["consumers"] = 3, ["items"] = 30, ["capacity"] = 2, ["produceDelay"] = 0, ["timeScale"] = 0.01,
        });
        var run = await http.WaitForFinalAsync(id);
        Assert.Equal(RunState.Completed, run.State);

        var (trace, _) = await GetTraceAsync(http, run);

        // The host runs in this test process: its pid is the server's.
        var lanes = TraceChecks.AssertLanes(trace, run, _ => Environment.ProcessId);
        Assert.All(run.Actors, a => Assert.Equal(a.ThreadId, lanes[a.Id].Tid));
        var arrows = TraceChecks.AssertWellFormed(trace, run, lanes);
        TraceChecks.AssertItemArrows(trace, arrows);
        Assert.Equal(30 + 3, arrows.Count);
        TraceChecks.AssertGauge(trace, run);
        // A full queue blocks the producer: its spans say on what.
        Assert.Contains(trace.Spans(lanes[0]), s => s.Name == "blocked on queue:full");
    }

    [Theory(Timeout = 60_000)]
    [InlineData(RunModes.Threads)]
    [InlineData(RunModes.Async)]
    public async Task Each_release_that_let_a_waiting_car_in_has_an_arrow_to_that_cars_acquire(string mode)
    {
        var http = host.CreateApiClient("export-semaphore-" + mode);
        using var started = await http.PostRunAsync(new Dictionary<string, object>
        {
            ["mode"] = mode, [SemaphoreSchema.Workers] = 20, [SemaphoreSchema.Permits] = 3, ["timeScale"] = 0.01,
        }, SemaphoreSchema.Id);
        Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
        var id = (await started.Content.ReadFromJsonAsync<RunApi.StartedRun>(PlaygroundHost.Json))!.Id;
        var run = await http.WaitForFinalAsync(id);
        Assert.True(run.State == RunState.Completed, $"{run.State}: {run.Reason}");

        var (trace, _) = await GetTraceAsync(http, run);

        var lanes = TraceChecks.AssertLanes(trace, run, _ => Environment.ProcessId);
        var arrows = TraceChecks.AssertWellFormed(trace, run, lanes);
        TraceChecks.AssertGauge(trace, run);
        // An acquire that ended a block: the span before it on its lane is "blocked on" that resource.
        var unblocked = trace.Phase("i").Where(e => e.Name == "acquire")
            .Where(e => trace.Spans(e.Track).Any(s => s.End == e.Ts && s.Name == "blocked on " + e.Resource)).ToList();
        Assert.NotEmpty(unblocked);
        var permits = arrows.Where(a => a.Name == TraceChecks.PermitArrow).ToList();
        Assert.All(permits, a =>
        {
            Assert.Equal("release", a.From.Name);
            Assert.Equal("acquire", a.To.Name);
            Assert.Equal(a.From.Resource, a.To.Resource);
            Assert.NotEqual(a.From.Track, a.To.Track);
            // Released while the acquirer was blocked, and not after it got in.
            var block = Assert.Single(trace.Spans(a.To.Track), s => s.End == a.To.Ts && s.Name == "blocked on " + a.To.Resource);
            Assert.InRange(a.From.Ts, block.Ts, a.To.Ts);
        });
        // Every car let in after a wait was let in by some release after its wait began.
        Assert.Equal(unblocked.Count, permits.Count);
    }

    [Fact(Timeout = 60_000)]
    public async Task The_csv_has_a_row_per_recorded_event_the_same_as_the_events_api()
    {
        var http = host.CreateApiClient(nameof(The_csv_has_a_row_per_recorded_event_the_same_as_the_events_api));
        var id = await http.StartRunAsync(new Dictionary<string, object> { ["consumers"] = 2, ["items"] = 25, ["timeScale"] = 0.01 });
        var run = await http.WaitForFinalAsync(id);
        Assert.Equal(RunState.Completed, run.State);

        using var response = await http.GetAsync(new Uri($"api/runs/{id}/events.csv", UriKind.Relative), HttpCompletionOption.ResponseHeadersRead);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal($"attachment; filename=\"producer-consumer-{id}.csv\"", response.Content.Headers.GetValues("Content-Disposition").Single());
        var rows = Csv.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(["t_ns", "actor", "actor_name", "pid", "kind", "resource", "value", "level"], rows[0]);
        Assert.Equal(run.Summary!.EventCount, rows.Count - 1);
        Assert.Equal(run.Summary.EventCount.ToString(CultureInfo.InvariantCulture), response.Headers.GetValues("X-Export-Events").Single());
        Assert.All(rows.Skip(1), r =>
        {
            Assert.Equal(8, r.Length);
            var actor = run.Actors[int.Parse(r[1], CultureInfo.InvariantCulture)];
            Assert.Equal(actor.Name, r[2]);
            Assert.Equal(Environment.ProcessId.ToString(CultureInfo.InvariantCulture), r[3]);
        });
        var events = await http.GetEventsAsync(id);
        Assert.Equal(
            events.Select(e => $"{e.T},{e.Actor},{e.Kind},{e.Resource},{e.Value},{e.Level}"),
            rows.Skip(1).Select(r => $"{r[0]},{r[1]},{r[4]},{r[5]},{r[6]},{r[7]}"));
    }

    [Theory]
    [InlineData("plain", "plain")]
    [InlineData("queue:full", "queue:full")]
    [InlineData("a,b", "\"a,b\"")]
    [InlineData("say \"hi\"", "\"say \"\"hi\"\"\"")]
    [InlineData("two\r\nlines", "\"two\r\nlines\"")]
    [InlineData("", "")]
    [InlineData(null, "")]
    public void A_csv_field_is_quoted_only_when_it_must_be(string? value, string expected) =>
        Assert.Equal(expected, EventsCsvWriter.Field(value));

    [Theory(Timeout = 30_000)]
    [InlineData("trace", "nosuchrun", "en", "Unknown run", "There is no run 'nosuchrun'")]
    [InlineData("events.csv", "nosuchrun", "en", "Unknown run", "There is no run 'nosuchrun'")]
    [InlineData("trace", "nosuchrun", "zh", "找不到这次运行", "没有编号为“nosuchrun”的运行")]
    [InlineData("events.csv", "..%2F..%2Fetc", "en", "Unknown run", "There is no run")]
    [InlineData("trace", "%E2%80%AEx", "en", "Unknown run", "There is no run")]
    public async Task An_unknown_or_malformed_id_is_a_404_like_every_run_endpoint(string export, string id, string lang, string title, string detail)
    {
        var http = host.CreateApiClient(nameof(An_unknown_or_malformed_id_is_a_404_like_every_run_endpoint));

        using var response = await http.GetAsync(new Uri($"api/runs/{id}/{export}?lang={lang}", UriKind.Relative));
        using var plain = await http.GetAsync(new Uri($"api/runs/{id}?lang={lang}", UriKind.Relative));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        using var same = JsonDocument.Parse(await plain.Content.ReadAsStringAsync());
        Assert.Equal(title, body.RootElement.GetProperty("title").GetString());
        Assert.Contains(detail, body.RootElement.GetProperty("detail").GetString(), StringComparison.Ordinal);
        foreach (var field in new[] { "type", "title", "detail", "status" })
        {
            Assert.Equal(same.RootElement.GetProperty(field).ToString(), body.RootElement.GetProperty(field).ToString());
        }
    }

    [Fact(Timeout = 60_000)]
    public async Task A_long_id_is_a_404_with_the_id_clipped()
    {
        var http = host.CreateApiClient(nameof(A_long_id_is_a_404_with_the_id_clipped));
        var id = new string('x', 2_000);

        using var response = await http.GetAsync(new Uri($"api/runs/{id}/trace", UriKind.Relative));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.True((await response.Content.ReadAsStringAsync()).Length < 1_000);
    }

    internal static async Task<(TraceFile Trace, Dictionary<string, string> Headers)> GetTraceAsync(HttpClient http, RunInfo run)
    {
        using var response = await http.GetAsync(new Uri($"api/runs/{run.Id}/trace?lang=en", UriKind.Relative), HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal($"attachment; filename=\"{run.Scenario}-{run.Id}.trace.json\"", response.Content.Headers.GetValues("Content-Disposition").Single());
        var headers = response.Headers.Where(h => h.Key.StartsWith("X-", StringComparison.Ordinal) || h.Key == "Cache-Control")
            .ToDictionary(h => h.Key, h => string.Join(',', h.Value));
        await using var body = await response.Content.ReadAsStreamAsync();
        var trace = await TraceFile.ReadAsync(body);
        Assert.Equal(headers["X-Export-Events"], trace.Metadata.GetProperty("events").GetInt64().ToString(CultureInfo.InvariantCulture));
        return (trace, headers);
    }
}

/// <summary>A run still queued, one cancelled before it ran, and one exported while it runs.</summary>
public sealed class LiveRunExportTests(SingleSlotHost host) : IClassFixture<SingleSlotHost>
{
    [Fact(Timeout = 60_000)]
    public async Task A_running_run_exports_what_it_has_recorded_and_says_so_and_a_queued_one_is_a_409()
    {
        var http = host.CreateApiClient(nameof(A_running_run_exports_what_it_has_recorded_and_says_so_and_a_queued_one_is_a_409));
        var first = await http.StartRunAsync(RunApi.Long);
        var queued = await http.StartRunAsync(RunApi.Long);
        Assert.Equal(RunState.Queued, (await http.GetRunAsync(queued)).State);
        try
        {
            foreach (var export in new[] { "trace", "events.csv" })
            {
                using var english = await http.GetAsync(new Uri($"api/runs/{queued}/{export}?lang=en", UriKind.Relative));
                using var chinese = await http.GetAsync(new Uri($"api/runs/{queued}/{export}?lang=zh", UriKind.Relative));

                Assert.Equal(HttpStatusCode.Conflict, english.StatusCode);
                Assert.Equal("application/problem+json", english.Content.Headers.ContentType?.MediaType);
                Assert.Contains($"Run '{queued}' is still queued: it has recorded nothing to export yet.", await english.Content.ReadAsStringAsync(), StringComparison.Ordinal);
                Assert.Equal(HttpStatusCode.Conflict, chinese.StatusCode);
                Assert.Contains($"运行“{queued}”还在排队", await chinese.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            }

            // Once every actor of the first run has recorded something, export it while it runs.
            var live = await http.WaitForRunAsync(first, r => r.State == RunState.Running && r.Actors.All(a => a.ThreadId > 0));
            await WaitForEveryLaneAsync(http, live);
            var (trace, headers) = await RunExportTests.GetTraceAsync(http, live);

            Assert.Equal("false", headers["X-Export-Complete"]);
            Assert.Equal("running", headers["X-Run-State"]);
            Assert.Equal("no-store", headers["Cache-Control"]);
            Assert.False(trace.Metadata.GetProperty("complete").GetBoolean());
            Assert.Equal("running", trace.Metadata.GetProperty("state").GetString());
            Assert.Contains($"Run '{first}' was still running", trace.Metadata.GetProperty("note").GetString(), StringComparison.Ordinal);
            var lanes = TraceChecks.AssertLanes(trace, live, _ => Environment.ProcessId);
            TraceChecks.AssertWellFormed(trace, live, lanes);
            // Every lane has started, and none has ended: each is drawn up to the moment of the export.
            var end = trace.Metadata.GetProperty("endNs").GetInt64();
            Assert.All(lanes.Values, track => Assert.Equal(end, trace.Spans(track).Last().End));

            using var csv = await http.GetAsync(new Uri($"api/runs/{first}/events.csv", UriKind.Relative));
            Assert.Equal("false", csv.Headers.GetValues("X-Export-Complete").Single());
            var rows = Csv.Parse(await csv.Content.ReadAsStringAsync());
            Assert.Equal(csv.Headers.GetValues("X-Export-Events").Single(), (rows.Count - 1).ToString(CultureInfo.InvariantCulture));

            // A run cancelled in the queue never ran: there is nothing to export, ever.
            using var cancel = await http.DeleteAsync(new Uri($"api/runs/{queued}", UriKind.Relative));
            await http.WaitForFinalAsync(queued);
            using var never = await http.GetAsync(new Uri($"api/runs/{queued}/trace?lang=en", UriKind.Relative));
            Assert.Equal(HttpStatusCode.Conflict, never.StatusCode);
            Assert.Contains($"Run '{queued}' ended (cancelled) before it started", await never.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
        finally
        {
            using var a = await http.DeleteAsync(new Uri($"api/runs/{first}", UriKind.Relative));
            using var b = await http.DeleteAsync(new Uri($"api/runs/{queued}", UriKind.Relative));
        }
    }

    private static async Task WaitForEveryLaneAsync(HttpClient http, RunInfo run)
    {
        var deadline = DateTimeOffset.UtcNow + PlaygroundHost.Patience;
        while (true)
        {
            var page = await http.GetEventPageAsync(run.Id, null, limit: 1_000);
            if (page.Events.Select(e => e.Actor).Distinct().Count() == run.Actors.Count)
            {
                return;
            }

            Assert.True(DateTimeOffset.UtcNow < deadline, $"run {run.Id}: not every actor recorded an event");
            await Task.Delay(TimeSpan.FromMilliseconds(50));
        }
    }
}

/// <summary>A small RFC 4180 reader: quoted fields, doubled quotes, CRLF between records.</summary>
internal static class Csv
{
    public static List<string[]> Parse(string text)
    {
        var rows = new List<string[]>();
        var fields = new List<string>();
        var field = new System.Text.StringBuilder();
        var i = 0;
        while (i < text.Length)
        {
            if (text[i] == '"')
            {
                i++;
                while (true)
                {
                    Assert.True(i < text.Length, "a quoted field is not closed");
                    if (text[i] == '"' && i + 1 < text.Length && text[i + 1] == '"')
                    {
                        field.Append('"');
                        i += 2;
                    }
                    else if (text[i] == '"')
                    {
                        i++;
                        break;
                    }
                    else
                    {
                        field.Append(text[i++]);
                    }
                }
            }

            if (i < text.Length && text[i] == ',')
            {
                fields.Add(field.ToString());
                field.Clear();
                i++;
            }
            else if (i < text.Length && text[i] == '\r')
            {
                Assert.True(i + 1 < text.Length && text[i + 1] == '\n', "a record must end with CRLF");
                fields.Add(field.ToString());
                field.Clear();
                rows.Add([.. fields]);
                fields.Clear();
                i += 2;
            }
            else if (i < text.Length)
            {
                Assert.NotEqual('\n', text[i]);
                field.Append(text[i++]);
            }
        }

        Assert.True(fields.Count == 0 && field.Length == 0, "the last record must end with CRLF");
        return rows;
    }
}
