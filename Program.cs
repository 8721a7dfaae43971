using System.Runtime.CompilerServices;
using System.Diagnostics;
using System.Runtime.InteropServices;
unsafe
{
    const int N = 20000;
    // (a) Monitor per waiter: two objects, flags
    foreach (var rep in new[]{1,2})
    {
        var a = new Box(); var b = new Box();
        var t = new Thread(() => { for (int i = 1; i <= N; i++) { a.WaitFor(i); b.Signal(i); } });
        t.Start();
        var s = Stopwatch.GetTimestamp();
        for (int i = 1; i <= N; i++) { a.Signal(i); b.WaitFor(i); }
        t.Join();
        Console.WriteLine($"monitor ping-pong: {Stopwatch.GetElapsedTime(s).TotalMicroseconds / N / 2:F1} us per hand-off");
    }
    foreach (var rep in new[]{1,2})
    {
        var words = GC.AllocateArray<int>(32, pinned: true);
        int* wa = (int*)Unsafe.AsPointer(ref words[0]);
        int* wb = (int*)Unsafe.AsPointer(ref words[16]);
        var t = new Thread(() => { for (int i = 1; i <= N; i++) { F.WaitFor(wa, i); F.Signal(wb, i); } });
        t.Start();
        var s = Stopwatch.GetTimestamp();
        for (int i = 1; i <= N; i++) { F.Signal(wa, i); F.WaitFor(wb, i); }
        t.Join();
        Console.WriteLine($"futex ping-pong: {Stopwatch.GetElapsedTime(s).TotalMicroseconds / N / 2:F1} us per hand-off");
    }
}
sealed class Box
{
    int _v;
    public void Signal(int v) { lock (this) { _v = v; Monitor.Pulse(this); } }
    public void WaitFor(int v) { lock (this) { while (_v < v) Monitor.Wait(this); } }
}
static unsafe partial class F
{
    [LibraryImport("libc", EntryPoint = "syscall", SetLastError = true)]
    public static partial long Futex(long number, int* word, int op, int value, void* timeout, nint w2, int v3);
    public static void Signal(int* w, int v) { Volatile.Write(ref *w, v); Futex(202, w, 1 | 128, 1, null, 0, 0); }
    public static void WaitFor(int* w, int v) { while (true) { var cur = Volatile.Read(ref *w); if (cur >= v) return; Futex(202, w, 0 | 128, cur, null, 0, 0); } }
}
