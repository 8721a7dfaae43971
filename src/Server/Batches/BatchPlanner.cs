using Playground.Server.Runs;
using Playground.Shared.Catalog;
using Playground.Shared.Parameters;
using Playground.Shared.Runs;
using Playground.Shared.Text;

namespace Playground.Server.Batches;

/// <summary>A batch request that passed every check: its scenario, combinations and measure.</summary>
/// <param name="Fixed">The knobs the batch does not vary, every one of them, in canonical text.</param>
/// <param name="Vary">Each varied knob with its values in canonical text, in the order the rows cross them.</param>
public sealed record BatchPlan(
    ScenarioDescriptor Scenario,
    IReadOnlyList<BatchCombination> Combinations,
    int Repeat,
    string Measure,
    IReadOnlyDictionary<string, string> Fixed,
    IReadOnlyDictionary<string, IReadOnlyList<string>> Vary);

/// <summary>
/// Checks a whole batch before anything starts: the repeat count, every varied knob and value,
/// the number of combinations and runs, and each combination as the run manager would check a run
/// (knobs, hard caps), and the time all its runs would take. A batch that would fail on its fifth
/// run is refused before its first.
/// </summary>
public static class BatchPlanner
{
    public static BatchStartResult? Plan(BatchStartRequest request, RunManager runs, BatchOptions options, out BatchPlan? plan)
    {
        ArgumentNullException.ThrowIfNull(request);
        plan = null;
        var errors = new List<ParameterError>();
        if (request.Repeat < 1 || request.Repeat > options.MaxRepeat)
        {
            errors.Add(new ParameterError("repeat", Msg.Of("batch.repeat", ("max", options.MaxRepeat), ("text", request.Repeat))));
        }

        if (string.IsNullOrWhiteSpace(request.Scenario) || !runs.Scenarios.TryGet(request.Scenario, out var scenario))
        {
            // The run manager names the scenario's problem (unknown, or still to come) as it does for a run.
            var refusal = runs.Vet(new RunStartRequest(request.Scenario ?? "", null));
            errors.AddRange(refusal?.Errors ?? []);
            return Invalid(errors);
        }

        var descriptor = scenario.Descriptor;
        var varied = Vary(descriptor, request.Vary, options, errors);
        if (errors.Count > 0)
        {
            return Invalid(errors);
        }

        var combinations = varied.Aggregate(1L, (n, v) => n * v.Values.Count);
        if (combinations > options.MaxCombinations)
        {
            errors.Add(new ParameterError("vary", Msg.Of("batch.tooManyCombinations", ("count", combinations), ("max", options.MaxCombinations))));
        }
        else if (combinations * request.Repeat > options.MaxRunsPerBatch)
        {
            errors.Add(new ParameterError("repeat", Msg.Of("batch.tooManyRuns",
                ("combinations", combinations), ("repeat", request.Repeat), ("total", combinations * request.Repeat), ("max", options.MaxRunsPerBatch))));
        }

        // The knobs the batch does not vary, checked once; a varied knob's value in them is replaced.
        var fixedValues = (request.Parameters ?? new Dictionary<string, string?>())
            .Where(p => !varied.Any(v => string.Equals(v.Spec.Name, p.Key, StringComparison.OrdinalIgnoreCase)))
            .ToDictionary(p => p.Key, p => p.Value, StringComparer.OrdinalIgnoreCase);
        if (fixedValues.Count > descriptor.Parameters.Count)
        {
            errors.Add(ParameterValidator.TooMany(descriptor, fixedValues.Count, descriptor.Parameters.Count));
        }
        else
        {
            errors.AddRange(ParameterValidator.Validate(descriptor, fixedValues).Errors);
        }

        if (errors.Count > 0)
        {
            return Invalid(errors);
        }

        var list = new List<BatchCombination>();
        var seconds = 0.0;
        foreach (var values in Cross(varied))
        {
            var parameters = new Dictionary<string, string?>(fixedValues, StringComparer.OrdinalIgnoreCase);
            foreach (var (name, value) in values)
            {
                parameters[name] = value;
            }

            var run = new RunStartRequest(descriptor.Id, parameters);
            if (runs.Vet(run) is { } refused)
            {
                // Only what depends on the varied values can fail here (a mode this server lacks, a cap).
                var which = values.Count == 0 ? null : string.Join(", ", values.Select(v => $"{v.Key} = {v.Value}"));
                return refused.Refusal == StartRefusal.Invalid
                    ? Invalid([.. refused.Errors.Select(e => e with { Text = Within(which, e.Text) })])
                    : new BatchStartResult(null, refused.Refusal, refused.Message is { } m ? Within(which, m) : null, [], null);
            }

            list.Add(new BatchCombination(values, run));
            seconds += (runs.Check(run)?.EstimatedSeconds ?? 0) * request.Repeat;
        }

        if (seconds > options.MaxEstimatedSeconds)
        {
            return Invalid([new ParameterError("repeat", Msg.Of("batch.tooLong", ("seconds", seconds), ("max", options.MaxEstimatedSeconds)))]);
        }

        var canonical = ParameterValidator.Validate(descriptor, fixedValues).Values.ToText()
            .Where(kv => !varied.Any(v => string.Equals(v.Spec.Name, kv.Key, StringComparison.OrdinalIgnoreCase)))
            .ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);
        plan = new BatchPlan(descriptor, list, request.Repeat, descriptor.Batch?.Measure ?? BatchManager.WallMs, canonical,
            varied.ToDictionary(v => v.Spec.Name, v => v.Values, StringComparer.Ordinal));
        return null;
    }

    private sealed record VariedKnob(ParameterSpec Spec, IReadOnlyList<string> Values);

    /// <summary>Each varied knob with its values in their canonical spelling, or errors naming the knob.</summary>
    private static List<VariedKnob> Vary(ScenarioDescriptor scenario, IReadOnlyDictionary<string, IReadOnlyList<string>>? vary, BatchOptions options, List<ParameterError> errors)
    {
        var knobs = new List<VariedKnob>();
        if (vary is null || vary.Count == 0)
        {
            return knobs;
        }

        var choices = string.Join(", ", scenario.Parameters.Where(p => p.Type is ParameterType.Choice or ParameterType.Integer).Select(p => p.Name));
        if (vary.Count > scenario.Parameters.Count)
        {
            // One error, however many names were sent.
            errors.Add(new ParameterError("vary", Msg.Of("batch.varyTooMany", ("count", vary.Count), ("max", scenario.Parameters.Count), ("scenario", scenario.Id), ("choices", choices))));
            return knobs;
        }

        foreach (var (name, values) in vary)
        {
            var field = "vary." + ParameterValidator.Clip(name);
            if (scenario.Find(name) is not { } spec)
            {
                errors.Add(new ParameterError(field, Msg.Of("batch.varyUnknown", ("name", ParameterValidator.Clip(name)), ("scenario", scenario.Id), ("choices", choices))));
                continue;
            }

            if (spec.Type is not (ParameterType.Choice or ParameterType.Integer))
            {
                errors.Add(new ParameterError(field, Msg.Of("batch.varyNotChoice", ("name", spec.Name), ("allowed", spec.Allowed), ("choices", choices))));
                continue;
            }

            if (knobs.Any(k => k.Spec == spec))
            {
                errors.Add(new ParameterError(field, Msg.Of("batch.varyTwice", ("name", spec.Name))));
                continue;
            }

            if (values is null || values.Count == 0)
            {
                errors.Add(new ParameterError(field, Msg.Of("batch.varyEmpty", ("name", spec.Name), ("allowed", spec.Allowed))));
                continue;
            }

            // A choice knob can list each option once; a whole-number knob (a sweep of pool sizes) as
            // many values as a batch may have combinations.
            var most = spec.Type == ParameterType.Choice ? spec.Options.Count : options.MaxCombinations;
            if (values.Count > most)
            {
                errors.Add(new ParameterError(field, spec.Type == ParameterType.Choice
                    ? Msg.Of("batch.varyTooLong", ("name", spec.Name), ("count", values.Count), ("max", most), ("allowed", spec.Allowed))
                    : Msg.Of("batch.varyTooManyValues", ("name", spec.Name), ("count", values.Count), ("max", most))));
                continue;
            }

            var canonical = new List<string>();
            foreach (var text in values)
            {
                if (!ParameterValidator.TryParse(spec, text ?? "", out var value, out var message))
                {
                    errors.Add(new ParameterError(field, message!));
                    continue;
                }

                var spelled = ParameterValues.ToText(value);
                if (canonical.Contains(spelled))
                {
                    errors.Add(new ParameterError(field, Msg.Of("batch.varyDuplicate", ("name", spec.Name), ("text", spelled))));
                }
                else
                {
                    canonical.Add(spelled);
                }
            }

            knobs.Add(new VariedKnob(spec, canonical));
        }

        return knobs;
    }

    /// <summary>Every combination of the varied values, the first knob's values changing slowest.</summary>
    private static IEnumerable<IReadOnlyDictionary<string, string>> Cross(IReadOnlyList<VariedKnob> knobs)
    {
        IEnumerable<IReadOnlyList<KeyValuePair<string, string>>> rows = [[]];
        foreach (var knob in knobs)
        {
            rows = rows.SelectMany(row => knob.Values.Select(v => (IReadOnlyList<KeyValuePair<string, string>>)[.. row, KeyValuePair.Create(knob.Spec.Name, v)]));
        }

        return rows.Select(row => (IReadOnlyDictionary<string, string>)row.ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal));
    }

    private static Msg Within(string? combination, Msg message) =>
        combination is null ? message : Msg.Of("batch.combination", ("values", combination), ("message", message));

    private static BatchStartResult Invalid(IReadOnlyList<ParameterError> errors) =>
        new(null, StartRefusal.Invalid, errors.Count == 1 ? errors[0].Text : null, errors, null);
}
