using Playground.Shared.Catalog;
using Playground.Shared.Parameters;

namespace Playground.Shared.Text;

/// <summary>
/// The message keys of a scenario's names and of its knobs' labels, descriptions, hints and
/// options. The descriptors keep English for the API; pages show these in the reader's language.
/// </summary>
public static class ScenarioTexts
{
    public static Msg Name(ScenarioDescriptor scenario) => Msg.Of($"scenario.{scenario.Id}.name");

    /// <summary>The scenario's nickname from the tutorials (包子, 抢票...).</summary>
    public static Msg Tagline(ScenarioDescriptor scenario) => Msg.Of($"scenario.{scenario.Id}.tagline");

    public static Msg Summary(ScenarioDescriptor scenario) => Msg.Of($"scenario.{scenario.Id}.summary");

    public static Msg Label(string scenarioId, ParameterSpec spec) => Msg.Of(Prefix(scenarioId, spec) + ".label");

    public static Msg Description(string scenarioId, ParameterSpec spec) => Msg.Of(Prefix(scenarioId, spec) + ".description");

    /// <summary>
    /// The hint under the field, or null when the knob has none. A shared knob has a hint only
    /// where one scenario gives it another default, so its hint is that scenario's own.
    /// </summary>
    public static Msg? Hint(string scenarioId, ParameterSpec spec) =>
        spec.Hint is null ? null : Msg.Of($"param.{scenarioId}.{spec.Name}.hint");

    public static Msg Option(string scenarioId, ParameterSpec spec, string value) =>
        Msg.Of($"{Prefix(scenarioId, spec)}.option.{value}");

    /// <summary>The option's longer description, or null when the option has none.</summary>
    public static Msg? OptionDescription(string scenarioId, ParameterSpec spec, ParameterOption option) =>
        option.Description is null ? null : Msg.Of($"{Prefix(scenarioId, spec)}.optionDescription.{option.Value}");

    /// <summary>An actor's role ("producer") in words.</summary>
    public static Msg Role(string role) => Msg.Of("role." + role);

    private static string Prefix(string scenarioId, ParameterSpec spec) =>
        CommonParameters.IsCommon(spec.Name) ? "param.common." + spec.Name : $"param.{scenarioId}.{spec.Name}";
}
