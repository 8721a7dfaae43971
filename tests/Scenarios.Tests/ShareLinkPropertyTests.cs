using System.Globalization;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Playground.Shared.Catalog;
using Playground.Shared.Parameters;

namespace Playground.Scenarios.Tests;

/// <summary>A complete set of in-range knob values as raw text.</summary>
public sealed record ValidSetup(IReadOnlyDictionary<string, string> Text)
{
    public override string ToString() => string.Join("&", Text.Select(kv => $"{kv.Key}={kv.Value}"));
}

/// <summary>Any query string, from plausible to malformed.</summary>
public sealed record AnyQuery(string Text)
{
    public override string ToString() => Text;
}

/// <summary>One numeric knob and a value outside its range.</summary>
public sealed record OutOfRange(string Name, string Value)
{
    public override string ToString() => $"{Name}={Value}";
}

public static class LinkArbitraries
{
    private static ScenarioDescriptor Scenario => ProducerConsumerSchema.Descriptor;

    private static Gen<string> ValidText(ParameterSpec spec) => spec.Type switch
    {
        ParameterType.Choice => Gen.Elements(spec.Options.Select(o => o.Value).ToArray()),
        ParameterType.Integer => Gen.Choose((int)spec.Min!.Value, (int)Math.Min(spec.Max!.Value, int.MaxValue))
            .Select(v => v.ToString(CultureInfo.InvariantCulture)),
        // Any double in range, including ones with many digits: the link must carry them exactly.
        _ => Gen.OneOf(
                Gen.Choose(0, 1_000_000).Select(k => k / 1_000_000.0),
                Gen.Elements(0.0, 1.0, 0.1, 1.0 / 3, 0.5))
            .Select(f => Math.Clamp(spec.Min!.Value + ((spec.Max!.Value - spec.Min.Value) * f), spec.Min.Value, spec.Max.Value)
                .ToString("R", CultureInfo.InvariantCulture)),
    };

    public static Arbitrary<ValidSetup> ValidSetups() =>
        Gen.CollectToArray(Scenario.Parameters, spec => ValidText(spec).Select(v => (spec.Name, v)))
            .Select(pairs => new ValidSetup(pairs.ToDictionary(p => p.Name, p => p.v)))
            .ToArbitrary();

    private static readonly string[] Fragments =
    [
        "producers", "consumers", "items", "capacity", "produceDelay", "consumeDelay", "jitter", "queueKind",
        "shutdown", "mode", "seed", "timeScale", "PRODUCERS", "Capacity", "bogus", "",
        "=", "=", "&", "&", "&&", "?", "%", "%2", "%zz", "%26", "%3D", "%E2%82%AC", "%C3", "%FF%FE", "+", " ", "\t",
        "-1", "0", "1", "3", "16", "17", "1000", "1001", "99999999999999999999", "1e3", "1.5", "0.001", "-0", "NaN",
        "Infinity", "-Infinity", "0x10", "fifo", "lifo", "priority", "sentinel", "joinable", "poll", "threads",
        "processes", "包子", "\u0000", "\uD800", "é", new string('9', 70), new string('a', 200),
    ];

    public static Arbitrary<AnyQuery> AnyQueries() =>
        Gen.OneOf(
                Gen.ListOf(Gen.Elements(Fragments)).Select(parts => string.Concat(parts)),
                ArbMap.Default.GeneratorFor<string>().Select(s => s ?? ""),
                ArbMap.Default.GeneratorFor<string>().Select(s => "producers=" + s + "&capacity=" + s))
            .Select(s => new AnyQuery(s))
            .ToArbitrary();

    public static Arbitrary<OutOfRange> OutOfRanges()
    {
        var numeric = Scenario.Parameters.Where(p => p.Type != ParameterType.Choice).ToArray();
        return Gen.Elements(numeric)
            .SelectMany(spec => Gen.OneOf(
                    Gen.Choose(1, 1_000_000).Select(d => spec.Min!.Value - (spec.Type == ParameterType.Integer ? d : d / 1000.0)),
                    Gen.Choose(1, 1_000_000).Select(d => spec.Max!.Value + (spec.Type == ParameterType.Integer ? d : d / 1000.0)))
                .Select(v => new OutOfRange(spec.Name, v.ToString("R", CultureInfo.InvariantCulture))))
            .ToArbitrary();
    }
}

[Properties(Arbitrary = [typeof(LinkArbitraries)], MaxTest = 500)]
public sealed class ShareLinkPropertyTests
{
    private static ScenarioDescriptor Scenario => ProducerConsumerSchema.Descriptor;

    private static void AssertCompleteAndInRange(ParameterValues values)
    {
        Assert.Equal(Scenario.Parameters.Count, values.Values.Count);
        foreach (var spec in Scenario.Parameters)
        {
            var value = values.Values[spec.Name];
            switch (spec.Type)
            {
                case ParameterType.Choice:
                    Assert.Contains(spec.Options, o => o.Value == (string)value);
                    break;
                case ParameterType.Integer:
                    var whole = values.GetInt64(spec.Name);
                    Assert.InRange(whole, (long)spec.Min!.Value, (long)spec.Max!.Value);
                    break;
                default:
                    var number = values.GetDouble(spec.Name);
                    Assert.True(double.IsFinite(number));
                    Assert.InRange(number, spec.Min!.Value, spec.Max!.Value);
                    break;
            }
        }
    }

    [Property]
    public void Decoding_any_query_never_throws_and_yields_a_complete_in_range_setup(AnyQuery query)
    {
        var result = ShareLink.Decode(Scenario, query.Text);

        AssertCompleteAndInRange(result.Values);
        Assert.All(result.Errors, e => Assert.False(string.IsNullOrEmpty(e.Field)));
        Assert.All(result.Errors, e => Assert.False(string.IsNullOrWhiteSpace(e.Message)));
    }

    [Property]
    public void A_valid_setup_round_trips_through_a_link_exactly(ValidSetup setup)
    {
        var validated = ParameterValidator.Validate(Scenario, setup.Text.ToDictionary(kv => kv.Key, kv => (string?)kv.Value));
        Assert.True(validated.IsValid, string.Join("; ", validated.Errors.Select(e => e.Message)));

        var link = ShareLink.Encode(Scenario, validated.Values);
        var query = link.Contains('?', StringComparison.Ordinal) ? link[link.IndexOf('?', StringComparison.Ordinal)..] : "";
        var decoded = ShareLink.Decode(Scenario, query);

        Assert.StartsWith(ShareLink.Path(Scenario), link, StringComparison.Ordinal);
        Assert.True(decoded.IsValid, string.Join("; ", decoded.Errors.Select(e => e.Message)));
        Assert.Equal(validated.Values.Values, decoded.Values.Values);
        // Encoding is canonical: decoding and encoding again gives the same link.
        Assert.Equal(link, ShareLink.Encode(Scenario, decoded.Values));
    }

    [Property]
    public void An_out_of_range_value_is_refused_naming_the_field_and_its_range(OutOfRange bad)
    {
        var spec = Scenario.Find(bad.Name)!;
        var result = ShareLink.Decode(Scenario, $"{bad.Name}={Uri.EscapeDataString(bad.Value)}");

        var error = Assert.Single(result.Errors);
        Assert.Equal(spec.Name, error.Field);
        Assert.Contains($"from {ParameterSpec_Format(spec.Min)} to {ParameterSpec_Format(spec.Max)}", error.Message, StringComparison.Ordinal);
        Assert.Equal(spec.DefaultValue, result.Values.Values[spec.Name]);
        AssertCompleteAndInRange(result.Values);
    }

    [Property]
    public void An_unknown_parameter_is_refused_by_name(NonEmptyString name)
    {
        var key = new string(name.Get.Where(char.IsAsciiLetter).ToArray());
        if (key.Length == 0 || Scenario.Find(key) is not null)
        {
            return;
        }

        var result = ParameterValidator.Validate(Scenario, new Dictionary<string, string?> { [key] = "1" });

        var error = Assert.Single(result.Errors);
        Assert.Equal(key, error.Field);
        Assert.Contains("not a parameter", error.Message, StringComparison.Ordinal);
        AssertCompleteAndInRange(result.Values);
    }

    private static string ParameterSpec_Format(double? v) => v!.Value.ToString("#,0.####", CultureInfo.InvariantCulture);
}

public sealed class ShareLinkExampleTests
{
    private static ScenarioDescriptor Scenario => ProducerConsumerSchema.Descriptor;

    [Fact]
    public void Defaults_encode_to_an_empty_query_and_the_bare_path()
    {
        var defaults = Scenario.Defaults();

        Assert.Equal("", ShareLink.EncodeQuery(Scenario, defaults));
        Assert.Equal("/play/producer-consumer", ShareLink.Encode(Scenario, defaults));
        Assert.True(ShareLink.Decode(Scenario, "").IsValid);
        Assert.True(ShareLink.Decode(Scenario, null).IsValid);
        Assert.Equal(defaults.Values, ShareLink.Decode(Scenario, "?").Values.Values);
    }

    [Theory]
    [InlineData("consumers=17", "consumers", "from 1 to 16")]
    [InlineData("producers=0", "producers", "from 1 to 16")]
    [InlineData("capacity=1001", "capacity", "from 0 to 1,000")]
    [InlineData("jitter=1.5", "jitter", "from 0 to 1")]
    [InlineData("timeScale=0", "timeScale", "from 0.001 to 2")]
    [InlineData("items=2.5", "items", "from 1 to 10,000")]
    [InlineData("items=abc", "items", "from 1 to 10,000")]
    [InlineData("queueKind=stack", "queueKind", "one of fifo, lifo, priority")]
    public void A_bad_value_gets_a_message_with_the_field_and_the_allowed_range(string query, string field, string allowed)
    {
        var result = ShareLink.Decode(Scenario, query);

        var error = Assert.Single(result.Errors);
        Assert.Equal(field, error.Field);
        Assert.Contains(allowed, error.Message, StringComparison.Ordinal);
        Assert.Contains(field, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Names_are_matched_regardless_of_case_and_values_are_kept()
    {
        var result = ShareLink.Decode(Scenario, "?CONSUMERS=3&queuekind=LIFO");

        Assert.True(result.IsValid);
        Assert.Equal(3, result.Values.GetInt32("consumers"));
        Assert.Equal("lifo", result.Values.GetString("queueKind"));
    }

    [Fact]
    public void A_malformed_escape_is_reported_and_the_rest_of_the_link_still_counts()
    {
        var result = ShareLink.Decode(Scenario, "consumers=%zz&producers=4");

        Assert.Equal(4, result.Values.GetInt32("producers"));
        Assert.Equal(2, result.Values.GetInt32("consumers"));
        Assert.NotEmpty(result.Errors);
    }

    [Fact]
    public void A_seeded_fuzz_of_random_bytes_never_makes_decode_throw()
    {
        var random = new Random(12345);
        var alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789%&=?+-._~ \u00e9\u5305\uD800";
        for (var n = 0; n < 5_000; n++)
        {
            var chars = new char[random.Next(0, 120)];
            for (var i = 0; i < chars.Length; i++)
            {
                chars[i] = random.Next(10) == 0 ? (char)random.Next(0, 0x10000) : alphabet[random.Next(alphabet.Length)];
            }

            var result = ShareLink.Decode(Scenario, new string(chars));

            Assert.Equal(Scenario.Parameters.Count, result.Values.Values.Count);
        }
    }
}
