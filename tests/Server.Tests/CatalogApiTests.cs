using System.Net;
using System.Text.Json;
using Playground.Server.Tests.Infrastructure;

namespace Playground.Server.Tests;

public sealed class CatalogApiTests(PlaygroundHost host) : IClassFixture<PlaygroundHost>
{
    private static readonly string[] ProducerConsumerParameters =
        ["producers", "consumers", "items", "capacity", "produceDelay", "consumeDelay", "jitter", "queueKind", "shutdown", "mode", "seed", "timeScale"];

    private static readonly string[] ParameterFields = ["name", "type", "default", "min", "max", "unit", "options", "description"];

    [Fact(Timeout = 30_000)]
    public async Task Health_endpoint_answers_200()
    {
        var http = host.CreateApiClient(nameof(Health_endpoint_answers_200));

        using var response = await http.GetAsync("healthz");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact(Timeout = 30_000)]
    public async Task Scenario_list_describes_every_producer_consumer_knob_in_camel_case()
    {
        var http = host.CreateApiClient(nameof(Scenario_list_describes_every_producer_consumer_knob_in_camel_case));

        using var response = await http.GetAsync("api/scenarios");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var scenario = json.RootElement.EnumerateArray().Single(s => s.GetProperty("id").GetString() == RunApi.Scenario);
        var parameters = scenario.GetProperty("parameters").EnumerateArray().ToList();
        Assert.Equal(ProducerConsumerParameters, parameters.Select(p => p.GetProperty("name").GetString()));
        foreach (var parameter in parameters)
        {
            foreach (var field in ParameterFields)
            {
                Assert.True(parameter.TryGetProperty(field, out _), $"{parameter.GetProperty("name")} has no '{field}' field");
            }

            var type = parameter.GetProperty("type").GetString();
            Assert.Contains(type, new[] { "integer", "number", "choice" });
            Assert.False(string.IsNullOrWhiteSpace(parameter.GetProperty("description").GetString()));
            if (type == "choice")
            {
                Assert.NotEmpty(parameter.GetProperty("options").EnumerateArray());
                Assert.Equal(JsonValueKind.String, parameter.GetProperty("default").ValueKind);
            }
            else
            {
                Assert.Equal(JsonValueKind.Number, parameter.GetProperty("min").ValueKind);
                Assert.Equal(JsonValueKind.Number, parameter.GetProperty("max").ValueKind);
                Assert.Equal(JsonValueKind.Number, parameter.GetProperty("default").ValueKind);
            }
        }

        var gauge = Assert.Single(scenario.GetProperty("gauges").EnumerateArray());
        Assert.Equal("depth", gauge.GetProperty("id").GetString());
        Assert.Equal("step", gauge.GetProperty("style").GetString());
        Assert.Equal("capacity", gauge.GetProperty("limitParameter").GetString());
        Assert.False(string.IsNullOrWhiteSpace(gauge.GetProperty("label").GetString()));

        var consumers = parameters.Single(p => p.GetProperty("name").GetString() == "consumers");
        Assert.Equal(2, consumers.GetProperty("default").GetInt32());
        Assert.Equal(1, consumers.GetProperty("min").GetDouble());
        Assert.Equal(16, consumers.GetProperty("max").GetDouble());
        var queueKind = parameters.Single(p => p.GetProperty("name").GetString() == "queueKind");
        Assert.Equal(["fifo", "lifo", "priority"], queueKind.GetProperty("options").EnumerateArray().Select(o => o.GetString()));
    }
}
