using System.Globalization;
using System.Net;
using Playground.Server.Runs;
using Playground.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Playground.Shared.Runs;

namespace Playground.Server.Tests;

/// <summary>The default caps: 4 running, 16 queued, 2 per identity, 6 per address, half the queue per owner.</summary>
public sealed class DefaultCapsHost : PlaygroundHost;

public sealed class AddressCapTests(DefaultCapsHost host) : IClassFixture<DefaultCapsHost>
{
    [Fact(Timeout = 60_000)]
    public async Task Rotating_client_ids_cookies_and_forwarded_addresses_gains_nothing()
    {
        // No cookie kept, a new X-Client-Id and X-Forwarded-For on every request: each request is
        // a fresh identity, all from 127.0.0.1.
        var flood = host.CreateApiClient("flood", keepCookies: false);
        var accepted = new List<string>();
        var refused = 0;
        for (var i = 0; i < 20; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "api/runs")
            {
                Content = JsonContent(RunApi.Long),
            };
            request.Headers.Add("X-Client-Id", "rotating-" + i.ToString(CultureInfo.InvariantCulture));
            request.Headers.Add("X-Forwarded-For", "203.0.113." + i.ToString(CultureInfo.InvariantCulture));
            using var response = await flood.SendAsync(request);
            if (response.StatusCode == HttpStatusCode.Accepted)
            {
                var started = await System.Net.Http.Json.HttpContentJsonExtensions.ReadFromJsonAsync<RunApi.StartedRun>(response.Content, PlaygroundHost.Json);
                accepted.Add(started!.Id);
            }
            else
            {
                Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
                Assert.NotNull(response.Headers.RetryAfter);
                refused++;
            }
        }

        try
        {
            var options = host.Services.GetRequiredService<RunManager>().Options;
            Assert.Equal(options.MaxRunsPerAddress, accepted.Count);
            Assert.Equal(20 - options.MaxRunsPerAddress, refused);

            // Someone else, from another address, still gets in.
            var newcomer = host.CreateApiClient("newcomer", from: IPAddress.Parse("127.0.0.2"));
            var theirs = await newcomer.StartRunAsync(RunApi.Long);
            Assert.Contains(theirs, (await newcomer.ListRunsAsync()).Select(r => r.Id));
            using var cancel = await newcomer.DeleteAsync(new Uri($"api/runs/{theirs}", UriKind.Relative));
            Assert.Equal(HttpStatusCode.Accepted, cancel.StatusCode);
        }
        finally
        {
            // The flood's runs belong to identities nobody kept; the server stops them.
            var runs = host.Services.GetRequiredService<RunManager>();
            foreach (var id in accepted)
            {
                runs.Cancel(id, by: null);
            }
        }

        foreach (var id in accepted)
        {
            await host.CreateApiClient("check").WaitForFinalAsync(id);
        }
    }

    private static StringContent JsonContent(IReadOnlyDictionary<string, object> parameters) =>
        new(System.Text.Json.JsonSerializer.Serialize(new { scenario = RunApi.Scenario, parameters }, PlaygroundHost.Json),
            System.Text.Encoding.UTF8, "application/json");
}

/// <summary>127.0.0.1 is a trusted proxy; one run per address.</summary>
public sealed class TrustedProxyHost : PlaygroundHost
{
    protected override IReadOnlyDictionary<string, string> Settings { get; } = new Dictionary<string, string>
    {
        ["ForwardedHeaders:KnownProxies:0"] = "127.0.0.1",
        ["Runs:MaxRunsPerAddress"] = "1",
    };
}

public sealed class TrustedProxyTests(TrustedProxyHost host) : IClassFixture<TrustedProxyHost>
{
    [Fact(Timeout = 30_000)]
    public async Task Forwarded_addresses_count_only_when_they_come_from_a_configured_proxy()
    {
        var started = new List<string>();
        try
        {
            // Through the proxy: each forwarded address is its own, with its own cap of one.
            Assert.Equal(HttpStatusCode.Accepted, await PostAsync(null, "198.51.100.1", started));
            Assert.Equal(HttpStatusCode.TooManyRequests, await PostAsync(null, "198.51.100.1", started));
            Assert.Equal(HttpStatusCode.Accepted, await PostAsync(null, "198.51.100.2", started));

            // Not through the proxy: the header is ignored, and the caller is 127.0.0.2 whatever it claims.
            var direct = IPAddress.Parse("127.0.0.2");
            Assert.Equal(HttpStatusCode.Accepted, await PostAsync(direct, "198.51.100.3", started));
            Assert.Equal(HttpStatusCode.TooManyRequests, await PostAsync(direct, "198.51.100.4", started));
        }
        finally
        {
            var runs = host.Services.GetRequiredService<RunManager>();
            foreach (var id in started)
            {
                runs.Cancel(id, by: null);
            }
        }
    }

    private async Task<HttpStatusCode> PostAsync(IPAddress? from, string forwardedFor, List<string> started)
    {
        var http = host.CreateApiClient("proxied", from: from);
        using var request = new HttpRequestMessage(HttpMethod.Post, "api/runs")
        {
            Content = new StringContent("""{"scenario":"producer-consumer","parameters":{"items":100,"timeScale":1}}""", System.Text.Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("X-Forwarded-For", forwardedFor);
        using var response = await http.SendAsync(request);
        if (response.StatusCode == HttpStatusCode.Accepted)
        {
            var run = await System.Net.Http.Json.HttpContentJsonExtensions.ReadFromJsonAsync<RunApi.StartedRun>(response.Content, PlaygroundHost.Json);
            started.Add(run!.Id);
        }

        return response.StatusCode;
    }
}
