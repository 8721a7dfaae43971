using System.Globalization;
using Playground.Scenarios.Engine;
using Playground.Shared.Parameters;

namespace Playground.Scenarios.Tests;

/// <summary>Every runnable scenario's setups survive the trip through a share link.</summary>
public sealed class ShareLinkEveryScenarioTests
{
    public static TheoryData<string> ScenarioIds() => [.. ScenarioRegistry.All.Select(s => s.Descriptor.Id)];

    [Theory]
    [MemberData(nameof(ScenarioIds))]
    public void Each_knob_at_its_edges_and_every_option_round_trips(string id)
    {
        Assert.True(ScenarioRegistry.Default.TryGet(id, out var scenario));
        var descriptor = scenario.Descriptor;
        var setups = 0;
        foreach (var spec in descriptor.Parameters)
        {
            var texts = spec.Type == ParameterType.Choice
                ? spec.Options.Select(o => o.Value)
                : new[] { spec.Min!.Value, spec.Max!.Value, (spec.Min.Value + spec.Max.Value) / 3 }
                    .Select(v => spec.Type == ParameterType.Integer ? Math.Floor(v) : v)
                    .Select(v => v.ToString("R", CultureInfo.InvariantCulture));
            foreach (var text in texts)
            {
                var input = new Dictionary<string, string?> { [spec.Name] = text };
                var validation = ParameterValidator.Validate(descriptor, input);
                Assert.True(validation.IsValid, $"{id}: {spec.Name}={text} should be valid");

                var query = ShareLink.EncodeQuery(descriptor, validation.Values);
                var decoded = ShareLink.Decode(descriptor, query);

                Assert.True(decoded.IsValid, $"{id}: the link '{query}' should decode");
                Assert.Equal(validation.Values.ToText(), decoded.Values.ToText());
                setups++;
            }
        }

        Assert.True(setups >= descriptor.Parameters.Count);
    }

    [Theory]
    [MemberData(nameof(ScenarioIds))]
    public void Every_default_setup_fits_the_servers_default_caps_and_deadline(string id)
    {
        Assert.True(ScenarioRegistry.Default.TryGet(id, out var scenario));
        var plan = scenario.Plan(scenario.Descriptor.Defaults());

        // The defaults of appsettings.json: 200 actors, 100,000 items, a 60 s deadline.
        Assert.InRange(plan.Actors, 1, 200);
        Assert.InRange(plan.Items, 0, 100_000);
        Assert.InRange(plan.EstimatedSeconds, 0, 60);
    }

    [Theory]
    [MemberData(nameof(ScenarioIds))]
    public void Every_actor_role_has_its_name_in_both_languages(string id)
    {
        Assert.True(ScenarioRegistry.Default.TryGet(id, out var scenario));
        var roles = scenario.Create(scenario.Descriptor.Defaults()).Actors.Select(a => a.Role).Distinct().ToList();

        Assert.NotEmpty(roles);
        foreach (var culture in new[] { System.Globalization.CultureInfo.InvariantCulture, System.Globalization.CultureInfo.GetCultureInfo("zh-CN") })
        {
            Assert.All(roles, role => Assert.NotNull(Playground.Shared.Text.Msg.Template("role." + role, culture)));
        }
    }
}
