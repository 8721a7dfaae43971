using System.Globalization;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Playground.Shared.Catalog;
using Playground.Shared.Text;

namespace Playground.Client.Tests;

/// <summary>Every text exists in English and Chinese, with the same placeholders.</summary>
public sealed partial class ResourceFileTests
{
    public static TheoryData<string> NeutralFiles()
    {
        var data = new TheoryData<string>();
        foreach (var file in Directory.EnumerateFiles(Path.Combine(RepositoryRoot(), "src"), "*.resx", SearchOption.AllDirectories)
                     .Where(f => !Path.GetFileNameWithoutExtension(f).Contains('.', StringComparison.Ordinal))
                     .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
                     .Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetRelativePath(RepositoryRoot(), file));
        }

        return data;
    }

    [Fact]
    public void The_repository_has_resource_files()
    {
        Assert.True(NeutralFiles().Count >= 2);
    }

    [Theory]
    [MemberData(nameof(NeutralFiles))]
    public void Every_key_has_a_Chinese_text_with_the_same_placeholders(string relativePath)
    {
        var english = Read(Path.Combine(RepositoryRoot(), relativePath));
        var chinesePath = Path.Combine(RepositoryRoot(), relativePath[..^".resx".Length] + ".zh-CN.resx");
        Assert.True(File.Exists(chinesePath), $"{relativePath} has no zh-CN twin");
        var chinese = Read(chinesePath);

        Assert.Empty(english.Keys.Except(chinese.Keys).Select(k => "missing in zh-CN: " + k));
        Assert.Empty(chinese.Keys.Except(english.Keys).Select(k => "missing in English: " + k));
        foreach (var (key, text) in english)
        {
            Assert.False(string.IsNullOrWhiteSpace(text), $"{key} is empty in English");
            Assert.False(string.IsNullOrWhiteSpace(chinese[key]), $"{key} is empty in zh-CN");
            Assert.Equal(Placeholders(text), Placeholders(chinese[key]));
        }
    }

    // The English file has every key a scenario needs; the test above holds the Chinese one to the same keys.
    [Fact]
    public void Every_scenario_knob_and_option_has_its_texts()
    {
        var missing = new List<string>();
        foreach (var culture in new[] { CultureInfo.InvariantCulture })
        {
            foreach (var scenario in (IEnumerable<ScenarioDescriptor>)[ProducerConsumerSchema.Descriptor, PoolSchema.Descriptor, SemaphoreSchema.Descriptor, EventSchema.Descriptor, TicketBookingSchema.Descriptor, .. ScenarioCatalog.Coming])
            {
                var messages = new List<Msg> { ScenarioTexts.Name(scenario), ScenarioTexts.Tagline(scenario), ScenarioTexts.Summary(scenario) };
                if (scenario.Available)
                {
                    messages.Add(Msg.Of("actors.count." + scenario.Id));
                }

                foreach (var gauge in scenario.Gauges)
                {
                    messages.Add(Msg.Of(gauge.LabelKey(scenario.Id)));
                    messages.AddRange(gauge.LimitParameter is null ? [] : [Msg.Of(gauge.LimitKey(scenario.Id))]);
                }

                messages.AddRange(scenario.Batch is { } batch ? [Msg.Of(batch.MeasureKey(scenario.Id))] : []);
                foreach (var spec in scenario.Parameters)
                {
                    messages.Add(ScenarioTexts.Label(scenario.Id, spec));
                    messages.Add(ScenarioTexts.Description(scenario.Id, spec));
                    messages.AddRange(ScenarioTexts.Hint(scenario.Id, spec) is { } hint ? [hint] : []);
                    messages.AddRange(spec.Options.Select(o => ScenarioTexts.Option(scenario.Id, spec, o.Value)));
                    messages.AddRange(spec.Options.Select(o => ScenarioTexts.OptionDescription(scenario.Id, spec, o)).OfType<Msg>());
                    messages.AddRange(spec.UnitText is { } unit ? [unit] : []);
                }

                missing.AddRange(messages.Where(m => Msg.Template(m.Key, culture) is null).Select(m => $"{culture.Name}: {m.Key}"));
            }
        }

        Assert.Empty(missing);
    }

    private static Dictionary<string, string> Read(string path) =>
        XDocument.Load(path).Root!.Elements("data")
            .ToDictionary(d => (string)d.Attribute("name")!, d => (string?)d.Element("value") ?? "", StringComparer.Ordinal);

    private static List<string> Placeholders(string text) =>
        Placeholder().Matches(text).Select(m => m.Groups[1].Value).Distinct().Order(StringComparer.Ordinal).ToList();

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Playground.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Playground.sln not found above " + AppContext.BaseDirectory);
    }

    // {name} or {name:format}; JSON braces in examples ({"scenario": ...}) are not placeholders.
    [GeneratedRegex(@"\{([A-Za-z][A-Za-z0-9]*)(?::[^}]*)?\}")]
    private static partial Regex Placeholder();
}
