using Playground.Shared.Catalog;

namespace Playground.Client.Scenarios.TicketBooking;

/// <summary>Page parts of the ticket-booking (抢票) scenario.</summary>
public sealed class TicketBookingContent : IScenarioContent
{
    public string ScenarioId => TicketBookingSchema.Id;

    public Type Explanation => typeof(TicketBookingExplanation);
}
