using System.Globalization;
using Playground.Shared.Catalog;
using Playground.Shared.Parameters;
using Playground.Shared.Runs;
using Playground.Shared.Text;

namespace Playground.Client.Services;

/// <summary>A run's knobs as the pages show them: labels, option names and numbers in the reader's language.</summary>
public static class RunSettingsText
{
    /// <summary>A knob's label, or its name when the scenario has no such knob.</summary>
    public static string Label(ScenarioDescriptor scenario, string field) =>
        scenario.Find(field) is { } spec ? ScenarioTexts.Label(scenario.Id, spec).Format() : field;

    /// <summary>A value as the page shows it: option labels, numbers in the reader's format, units.</summary>
    public static string DisplayValue(ScenarioDescriptor scenario, ParameterSpec spec, string text)
    {
        if (spec.Type == ParameterType.Choice)
        {
            return ScenarioTexts.Option(scenario.Id, spec, text).Format();
        }

        var number = double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? UiText.Number(v) : text;
        return spec.UnitText is { } unit ? $"{number} {unit.Format()}" : number;
    }

    /// <summary>The invariant text of each knob a run used.</summary>
    public static Dictionary<string, string> TextOfRun(RunInfo run) =>
        run.Parameters.ToDictionary(kv => kv.Key, kv => kv.Value switch
        {
            double d => d.ToString("R", CultureInfo.InvariantCulture),
            IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
            _ => kv.Value?.ToString() ?? "",
        }, StringComparer.OrdinalIgnoreCase);

    /// <summary>The settings a run used, labelled for the summary, in the scenario's order of knobs.</summary>
    public static IReadOnlyList<KeyValuePair<string, string>> Of(ScenarioDescriptor scenario, RunInfo run)
    {
        var used = TextOfRun(run);
        return scenario.Parameters
            .Where(spec => used.ContainsKey(spec.Name))
            .Select(spec => KeyValuePair.Create(Label(scenario, spec.Name), DisplayValue(scenario, spec, used[spec.Name])))
            .ToList();
    }

    /// <summary>The play page's address with a run's knobs in the form: "run again with these settings".</summary>
    public static string PlayLink(ScenarioDescriptor scenario, RunInfo run) =>
        ShareLink.Encode(scenario, ParameterValidator.Validate(scenario, TextOfRun(run).ToDictionary(kv => kv.Key, kv => (string?)kv.Value, StringComparer.OrdinalIgnoreCase)).Values);
}
