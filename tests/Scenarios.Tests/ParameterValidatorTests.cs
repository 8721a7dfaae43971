using System.Globalization;
using Playground.Shared.Catalog;
using Playground.Shared.Parameters;

namespace Playground.Scenarios.Tests;

public sealed class ParameterValidatorTests
{
    private static readonly ScenarioDescriptor Scenario = ProducerConsumerSchema.Descriptor;

    private static ParameterSpec Spec(string name) => Scenario.Find(name)!;

    [Theory]
    [InlineData("0,5")]
    [InlineData("0，5")]
    [InlineData("1,000")]
    public void A_comma_in_a_number_is_refused_with_the_reason(string text)
    {
        Assert.False(ParameterValidator.TryParse(Spec(ProducerConsumerSchema.ProduceDelay), text, out _, out var message));

        var english = message!.Format(CultureInfo.InvariantCulture);
        Assert.Contains("write decimals with a point (0.5)", english, StringComparison.Ordinal);
        Assert.Contains("produceDelay", english, StringComparison.Ordinal);
        Assert.Contains("小数请用小数点", message.Format(new CultureInfo("zh-CN")), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(ProducerConsumerSchema.Consumers, "１２", 12L)]
    [InlineData(ProducerConsumerSchema.Consumers, "\u3000３ ", 3L)]
    [InlineData(ProducerConsumerSchema.ProduceDelay, "０．５", 0.5)]
    [InlineData(ProducerConsumerSchema.ProduceDelay, "0。25", 0.25)]
    public void Full_width_forms_are_read_as_their_ASCII_twins(string field, string text, object expected)
    {
        Assert.True(ParameterValidator.TryParse(Spec(field), text, out var value, out var message), message?.Format(CultureInfo.InvariantCulture));
        Assert.Equal(expected, value);
    }

    [Fact]
    public void An_empty_number_is_refused_not_taken_as_the_default()
    {
        Assert.False(ParameterValidator.TryParse(Spec(ProducerConsumerSchema.Items), "  ", out _, out var message));
        Assert.Contains("is empty", message!.Format(CultureInfo.InvariantCulture), StringComparison.Ordinal);
    }

    [Fact]
    public void Many_unknown_names_give_one_short_error()
    {
        var raw = Enumerable.Range(0, 10_000).ToDictionary(i => $"bogus{i:D5}", _ => (string?)"1");
        raw["consumers"] = "3";

        var result = ParameterValidator.Validate(Scenario, raw);

        var error = Assert.Single(result.Errors);
        Assert.Equal("bogus00000", error.Field);
        var text = error.Text.Format(CultureInfo.InvariantCulture);
        Assert.Contains("9,999 other names", text, StringComparison.Ordinal);
        Assert.True(text.Length < 400, text);
        Assert.Equal(3L, result.Values.Values["consumers"]);
    }

    [Fact]
    public void Parameter_names_match_whatever_their_case()
    {
        var result = ParameterValidator.Validate(Scenario, new Dictionary<string, string?> { ["CONSUMERS"] = "4" });

        Assert.True(result.IsValid);
        Assert.Equal(4L, result.Values.Values["consumers"]);
    }

    [Fact]
    public void The_mode_knob_labels_every_mode_it_offers_and_accepts_only_those()
    {
        var spec = CommonParameters.ModeSpec([RunModes.Threads, RunModes.Processes, RunModes.Async]);

        Assert.Equal(["Threads", "Processes", "Async tasks"], spec.Options.Select(o => o.Label));
        Assert.True(ParameterValidator.TryParse(spec, RunModes.Async, out _, out _));
        Assert.False(ParameterValidator.TryParse(CommonParameters.ModeSpec([RunModes.Threads]), RunModes.Async, out _, out _));
    }
}
