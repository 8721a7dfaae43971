using System.Globalization;
using System.Net;
using System.Text;
using Playground.Tests.Common;

namespace Playground.Benchmarks;

/// <summary>
/// The server's memory before and after abusive run requests, measured on the real server as a
/// process of its own (resident set from /proc/&lt;pid&gt;/status): bodies with thousands of
/// unknown parameter names, and a 10 MB body. Not a test: memory figures are for reading.
/// </summary>
/// <remarks>
/// dotnet run -c Release --project tests/Benchmarks -- abuse-memory [repeats]
/// The server is started with Limits:MaxRequestBodyBytes=1048576 so the 10,000-name body
/// (about 150 KB) reaches the validation; the 10 MB body is refused with 413 either way.
/// </remarks>
public static class AbuseMemory
{
    public static async Task RunAsync(string[] args)
    {
        var repeats = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 100;
        await using var site = await SiteProcess.StartAsync(settings: new Dictionary<string, string>
        {
            ["Limits:MaxRequestBodyBytes"] = "1048576",
            ["Limits:StartsPerAddress"] = "100000",
            ["Serilog:MinimumLevel:Default"] = "Warning",
        }, environment: "Production");
        using var http = new HttpClient { BaseAddress = site.BaseUri, Timeout = TimeSpan.FromSeconds(120) };
        // Warm up: JIT, pools, the first requests of each kind.
        for (var i = 0; i < 5; i++)
        {
            await PostAsync(http, UnknownNames(10_000));
            await PostAsync(http, UnknownNames(100));
        }

        var baseline = ProcessMeter.Rss(site.Pid);
        Console.WriteLine($"# Abuse memory ({repeats} repeats), server pid {site.Pid}");
        Console.WriteLine($"baseline resident set after warm-up: {baseline / 1024.0 / 1024.0:0.0} MB");

        var body = UnknownNames(10_000);
        var (status, replyBytes) = await PostAsync(http, body);
        Console.WriteLine($"10,000 unknown names: body {body.Length:N0} bytes -> {status} with a {replyBytes:N0}-byte reply");
        for (var i = 0; i < repeats; i++)
        {
            await PostAsync(http, body);
        }

        var afterSequential = ProcessMeter.Rss(site.Pid);
        Console.WriteLine($"after {repeats} more sequentially: {afterSequential / 1024.0 / 1024.0:0.0} MB ({(afterSequential - baseline) / 1024.0 / 1024.0:+0.0;-0.0} MB)");

        await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => PostAsync(http, body)));
        var afterConcurrent = ProcessMeter.Rss(site.Pid);
        Console.WriteLine($"after 3 at once: {afterConcurrent / 1024.0 / 1024.0:0.0} MB ({(afterConcurrent - baseline) / 1024.0 / 1024.0:+0.0;-0.0} MB)");

        var huge = UnknownNames(700_000);
        var (hugeStatus, hugeReply) = await PostAsync(http, huge);
        var afterHuge = ProcessMeter.Rss(site.Pid);
        Console.WriteLine($"700,000 unknown names: body {huge.Length / 1024.0 / 1024.0:0.0} MB -> {hugeStatus} with a {hugeReply:N0}-byte reply; resident set {afterHuge / 1024.0 / 1024.0:0.0} MB ({(afterHuge - baseline) / 1024.0 / 1024.0:+0.0;-0.0} MB)");
        await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => PostAsync(http, huge)));
        var afterHuge3 = ProcessMeter.Rss(site.Pid);
        Console.WriteLine($"3 of those at once: resident set {afterHuge3 / 1024.0 / 1024.0:0.0} MB ({(afterHuge3 - baseline) / 1024.0 / 1024.0:+0.0;-0.0} MB)");
    }

    private static string UnknownNames(int count) =>
        "{\"scenario\":\"producer-consumer\",\"parameters\":{"
        + string.Join(',', Enumerable.Range(0, count).Select(i => "\"unknown" + i.ToString(CultureInfo.InvariantCulture) + "\":1"))
        + "}}";

    private static async Task<(HttpStatusCode Status, long ReplyBytes)> PostAsync(HttpClient http, string body)
    {
        using var content = new StringContent(body, Encoding.UTF8, "application/json");
        try
        {
            using var response = await http.PostAsync(new Uri("api/runs", UriKind.Relative), content);
            var reply = await response.Content.ReadAsByteArrayAsync();
            return (response.StatusCode, reply.LongLength);
        }
        catch (HttpRequestException)
        {
            // The server may close the connection after answering 413 without reading the rest.
            return (HttpStatusCode.RequestEntityTooLarge, -1);
        }
    }
}
