using Playground.Server.Runs;
using Playground.Server.Tests.Infrastructure;
using Playground.Shared.Runs;

namespace Playground.Server.Tests;

/// <summary>A host whose broadcasts may make 10 frame writes a second: four viewers of a run get a frame every 400 ms.</summary>
public sealed class FewWritesHost : PlaygroundHost
{
    protected override IReadOnlyDictionary<string, string> Settings { get; } = new Dictionary<string, string>
    {
        ["Runs:ViewerWritesPerSecond"] = "10",
        ["Runs:MaxViewerFrameMilliseconds"] = "1000",
    };
}

/// <summary>A large audience gets fewer, fuller frames: the same events, fewer writes.</summary>
public sealed class ViewerFrameRateTests(FewWritesHost host) : IClassFixture<FewWritesHost>
{
    [Theory]
    [InlineData(0, 50)]
    [InlineData(1, 50)]
    [InlineData(500, 50)]
    [InlineData(1000, 100)]
    [InlineData(2000, 200)]
    [InlineData(2500, 250)]
    [InlineData(100_000, 250)]
    public void The_frame_interval_grows_with_the_audience_between_the_base_and_the_cap(int viewers, int expectedMs)
    {
        var options = new RunOptions();
        Assert.Equal(TimeSpan.FromMilliseconds(expectedMs), options.FrameInterval(viewers));
    }

    [Theory]
    [InlineData(50, 5_000)]
    [InlineData(100, 10_000)]
    [InlineData(250, 25_000)]
    public void A_frame_that_comes_less_often_carries_as_many_more_events_before_coalescing(int intervalMs, int expected)
    {
        Assert.Equal(expected, new RunOptions().FrameBudget(TimeSpan.FromMilliseconds(intervalMs)));
    }

    [Fact]
    public void A_cap_below_the_base_interval_never_makes_frames_come_faster_than_the_base()
    {
        var options = new RunOptions { ViewerFrameMilliseconds = 300, MaxViewerFrameMilliseconds = 100, ViewerWritesPerSecond = 1 };
        Assert.Equal(TimeSpan.FromMilliseconds(300), options.FrameInterval(0));
        Assert.Equal(TimeSpan.FromMilliseconds(300), options.FrameInterval(1_000));
    }

    [Fact(Timeout = 90_000)]
    public async Task Four_viewers_at_ten_writes_a_second_get_a_frame_every_400_ms_and_every_event()
    {
        var http = host.CreateApiClient(nameof(Four_viewers_at_ten_writes_a_second_get_a_frame_every_400_ms_and_every_event));
        await using var hubs = await host.ConnectViewersAsync(4);
        // An item every 5 ms for 4 s or more: 80 frames at the base 50 ms, 10 at 400 ms.
        var id = await http.StartRunAsync(new Dictionary<string, object>
        {
            ["items"] = 800,
            ["produceDelay"] = 0.5,
            ["consumeDelay"] = 0.5,
            ["jitter"] = 0,
            ["timeScale"] = 0.01,
        });
        var all = await Task.WhenAll(hubs.Select(h => h.ReadToEndAsync(id)));

        var recorded = RunApi.Sorted(await http.GetEventsAsync(id));
        Assert.All(all, batches => Assert.Equal(recorded, RunApi.Sorted(batches.SelectMany(b => b.Events))));
        var final = all[0][^1];
        Assert.True(final.Final);
        Assert.Equal(RunState.Completed, final.State);

        // Frames are numbered: the final one's number is how many the broadcast made. At 400 ms
        // apart (100 to 300 ms while the viewers were still joining), plus one for each change of
        // the run's state, clearly more than the run's wall time allows would mean the interval
        // did not grow. A slow machine only makes fewer.
        var wallMs = final.Run!.Summary!.WallMs;
        var allowed = (long)Math.Ceiling(wallMs / 400.0) + 12;
        Assert.True(final.Seq <= allowed, $"{final.Seq} frames in a {wallMs:F0} ms run; at most {allowed} expected with four viewers at 10 writes a second");
        Assert.True(final.Seq >= 2, $"only {final.Seq} frames: the run was not streamed live");
    }
}
