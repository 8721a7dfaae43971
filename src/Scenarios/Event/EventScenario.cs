using Playground.Scenarios.Engine;
using Playground.Scenarios.Processes;
using Playground.Shared.Catalog;
using Playground.Shared.Parameters;

namespace Playground.Scenarios.Event;

/// <summary>老板与工人: the boss sets an event flag, the workers wake, clear it and wait again.</summary>
public sealed class EventScenario : IScenario
{
    public ScenarioDescriptor Descriptor => EventSchema.Descriptor;

    public RunPlan Plan(ParameterValues values)
    {
        var s = EventSettings.From(values);
        // The boss's pauses set the pace; the last set is followed by one more piece of work at most.
        var estimated = ((s.BossPause * (s.Rounds - 1)) + s.Work) * s.TimeScale;
        // Silent the longest: the boss in a pause, a worker at work or in a wait that times out.
        var longestStep = Math.Max(Math.Max(s.BossPause, s.Work * (1 + s.Jitter)), s.WaitTimeout) * s.TimeScale;
        return new RunPlan(s.Workers + 1, (long)s.Workers * s.Rounds, estimated, longestStep);
    }

    public IScenarioExecution Create(ParameterValues values, RunEnvironment? environment = null) =>
        new EventScript(values, environment);
}
