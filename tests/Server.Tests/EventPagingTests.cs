using System.Net;
using Playground.Server.Tests.Infrastructure;
using Playground.Shared.Runs;

namespace Playground.Server.Tests;

public sealed class EventPagingTests(PlaygroundHost host) : IClassFixture<PlaygroundHost>
{
    [Fact(Timeout = 30_000)]
    public async Task The_log_comes_in_pages_no_larger_than_the_limit_chained_by_next_cursors()
    {
        var http = host.CreateApiClient(nameof(The_log_comes_in_pages_no_larger_than_the_limit_chained_by_next_cursors));
        var id = await http.StartRunAsync(RunApi.Fast);
        var run = await http.WaitForFinalAsync(id);

        var events = new List<Playground.Shared.Events.RunEventDto>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var page = await http.GetEventPageAsync(id, cursor, limit: 25);
            Assert.True(page.Events.Count <= 25, $"a page of {page.Events.Count} events");
            events.AddRange(page.Events);
            cursor = page.Next;
            pages++;
        }
        while (cursor is not null && pages < 1_000);

        Assert.Null(cursor);
        Assert.Equal(run.Summary!.EventCount, events.Count);
        Assert.True(pages >= events.Count / 25);
        Assert.Equal(RunApi.Sorted(events), events);
        Assert.Equal(events, await http.GetEventsAsync(id));
    }

    [Theory(Timeout = 30_000)]
    [InlineData("limit=0")]
    [InlineData("limit=1000000")]
    [InlineData("limit=ten")]
    [InlineData("from=1.2")]
    [InlineData("from=999999.0.0")]
    [InlineData("from=a.b.c")]
    public async Task A_bad_limit_or_cursor_is_a_400(string query)
    {
        var http = host.CreateApiClient(nameof(A_bad_limit_or_cursor_is_a_400));
        var id = await http.StartRunAsync(RunApi.Fast);
        await http.WaitForFinalAsync(id);

        using var response = await http.GetAsync(new Uri($"api/runs/{id}/events?{query}", UriKind.Relative));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }
}
