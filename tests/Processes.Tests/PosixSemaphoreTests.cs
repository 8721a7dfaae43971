using System.ComponentModel;
using Playground.Scenarios.Processes;
using static Playground.Processes.Tests.ProcessTestSupport;

namespace Playground.Processes.Tests;

public sealed class PosixSemaphoreTests
{
    private static string NewName() => $"/pg-{NewRunId()}-sem";

    [Fact]
    public void Create_open_wait_release_value_and_unlink_work_on_one_named_semaphore()
    {
        var name = NewName();
        try
        {
            using var created = PosixSemaphore.Create(name, 2);
            Assert.Equal(name, created.Name);
            Assert.True(File.Exists(PosixSemaphore.PathOf(name)));
            Assert.Equal(2, created.Value);

            using var opened = PosixSemaphore.Open(name);
            Assert.True(opened.TryWait());
            Assert.True(created.Wait(TimeSpan.FromSeconds(5)));
            Assert.Equal(0, opened.Value);
            Assert.False(created.TryWait());
            Assert.False(opened.Wait(TimeSpan.FromMilliseconds(20)));

            opened.Release();
            Assert.Equal(1, created.Value);
            created.Wait(CancellationToken.None);
            Assert.Equal(0, opened.Value);

            Assert.True(PosixSemaphore.Unlink(name));
            Assert.False(File.Exists(PosixSemaphore.PathOf(name)));
            // Handles opened before the unlink keep working.
            created.Release();
            Assert.True(opened.TryWait());
            Assert.False(PosixSemaphore.Unlink(name));
            Assert.Throws<Win32Exception>(() => PosixSemaphore.Open(name));
        }
        finally
        {
            PosixSemaphore.Unlink(name);
        }
    }

    [Fact(Timeout = 30_000)]
    public async Task A_release_from_another_handle_wakes_a_blocked_waiter()
    {
        var name = NewName();
        try
        {
            using var created = PosixSemaphore.Create(name, 0);
            using var opened = PosixSemaphore.Open(name);
            var waiter = Task.Run(() => opened.Wait(CancellationToken.None));
            Assert.False(waiter.Wait(50));
            created.Release();
            await waiter.WaitAsync(Deadline);
            Assert.Equal(0, created.Value);
        }
        finally
        {
            PosixSemaphore.Unlink(name);
        }
    }

    [Fact(Timeout = 30_000)]
    public async Task A_wait_with_a_cancellable_token_wakes_with_OperationCanceledException_on_cancel()
    {
        var name = NewName();
        try
        {
            using var semaphore = PosixSemaphore.Create(name, 0);
            using var cts = new CancellationTokenSource();
            var entered = new ManualResetEventSlim();
            var waiter = Task.Run(() =>
            {
                entered.Set();
                semaphore.Wait(cts.Token);
            });
            entered.Wait(Deadline);
            Assert.False(waiter.Wait(50));

            await cts.CancelAsync();

            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiter.WaitAsync(Deadline));
            Assert.Equal(0, semaphore.Value);
        }
        finally
        {
            PosixSemaphore.Unlink(name);
        }
    }

    [Fact]
    public void Creating_a_name_that_exists_throws()
    {
        var name = NewName();
        try
        {
            using var first = PosixSemaphore.Create(name, 1);
            var error = Assert.Throws<Win32Exception>(() => PosixSemaphore.Create(name, 1));
            Assert.Equal(17, error.NativeErrorCode); // EEXIST
            Assert.Equal(1, first.Value);
        }
        finally
        {
            PosixSemaphore.Unlink(name);
        }
    }

    [Theory]
    [InlineData("/pg-a/b")]
    [InlineData("pg-no-leading-slash")]
    [InlineData("/")]
    [InlineData("/../etc")]
    [InlineData("/pg a")]
    public void Names_with_a_slash_inside_or_other_unsafe_characters_are_rejected(string name)
    {
        Assert.Throws<ArgumentException>(() => PosixSemaphore.Create(name, 1));
        Assert.Throws<ArgumentException>(() => PosixSemaphore.Open(name));
    }

    [Fact]
    public void A_disposed_semaphore_refuses_further_use()
    {
        var name = NewName();
        try
        {
            var semaphore = PosixSemaphore.Create(name, 1);
            semaphore.Dispose();
            semaphore.Dispose();
            Assert.Throws<ObjectDisposedException>(() => { semaphore.TryWait(); });
        }
        finally
        {
            PosixSemaphore.Unlink(name);
        }
    }
}
