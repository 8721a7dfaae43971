using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using Playground.Scenarios.Engine;
using Playground.Scenarios.Processes;

namespace Playground.Scenarios.Tests;

/// <summary>
/// The futex wake-up the shared queue's hand-over rests on: it must tell a wake that reached a
/// sleeper from one that found nobody, since only the first makes the waker owe its core.
/// </summary>
public sealed unsafe class FutexTests
{
    private static readonly TimeSpan Deadline = TestSupport.Deadline;

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_wake_says_whether_it_reached_a_sleeper_and_the_sleeper_returns(bool owingCore)
    {
        var word = (int*)NativeMemory.AllocZeroed(64);
        try
        {
            Assert.False(Futex.WakeOne(word), "nobody sleeps on the word yet");

            var sleeper = SleeperInTheKernelOn(word);
            Assert.True(sleeper.IsAlive);

            Volatile.Write(ref *word, 1);
            if (owingCore)
            {
                Futex.WakeOneOwingCore(word);
                Assert.True(Futex.OwesCore, "the waker owes the woken thread its core");
                Futex.GiveUpOwedCore(Stopwatch.GetTimestamp());
                Assert.False(Futex.OwesCore, "going to sleep paid it");
            }
            else
            {
                Assert.True(Futex.WakeOne(word), "the sleeper was woken");
            }

            Assert.True(sleeper.Join(Deadline), "the woken thread returned");
            Assert.False(Futex.WakeOne(word), "the woken thread no longer sleeps there");
            Futex.WakeOneOwingCore(word);
            Assert.False(Futex.OwesCore, "a wake-up that reached nobody is owed nothing");
        }
        finally
        {
            NativeMemory.Free(word);
        }
    }

    /// <summary>A thread that waits while <paramref name="word"/> holds 0, once it is asleep in the kernel on it.</summary>
    private static Thread SleeperInTheKernelOn(int* word)
    {
        var tid = 0;
        var sleeper = new Thread(() =>
        {
            Volatile.Write(ref tid, ActorThreads.CurrentThreadId());
            Futex.WaitWhileEqual(word, 0, CancellationToken.None);
        }) { IsBackground = true };
        sleeper.Start();
        Assert.True(
            SpinWait.SpinUntil(() => Volatile.Read(ref tid) != 0 && SleepsOn(Volatile.Read(ref tid), word), Deadline),
            "the sleeper is in the kernel on the word");
        return sleeper;
    }

    /// <summary>True while thread <paramref name="tid"/> of this process is inside futex() on <paramref name="word"/>.</summary>
    private static bool SleepsOn(int tid, int* word)
    {
        string text;
        try
        {
            // "<syscall number> <first argument> ...", in hex after the number, while the thread is in a system call.
            text = File.ReadAllText($"/proc/self/task/{tid}/syscall");
        }
        catch (IOException)
        {
            return false;
        }

        var fields = text.Split(' ');
        return fields.Length > 1
            && long.TryParse(fields[0], CultureInfo.InvariantCulture, out var number) && number == LibC.FutexSyscall
            && long.TryParse(fields[1].AsSpan(2), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var address) && address == (long)word;
    }

    [Fact]
    public void A_core_owed_too_long_ago_is_let_go_and_another_thread_owes_nothing()
    {
        var word = (int*)NativeMemory.AllocZeroed(64);
        try
        {
            var sleeper = SleeperInTheKernelOn(word);
            Volatile.Write(ref *word, 1);
            Futex.WakeOneOwingCore(word);
            Assert.True(Futex.OwesCore);
            Assert.True(sleeper.Join(Deadline));

            var owedElsewhere = true;
            var other = new Thread(() => owedElsewhere = Futex.OwesCore);
            other.Start();
            other.Join();
            Assert.False(owedElsewhere, "the debt is the waking thread's alone");

            Futex.GiveUpOwedCore(Stopwatch.GetTimestamp() + Stopwatch.Frequency);
            Assert.False(Futex.OwesCore, "a second later the woken thread has run anyway");
        }
        finally
        {
            NativeMemory.Free(word);
        }
    }
}
