using System.Globalization;
using System.Text.Json;
using Playground.Tests.Common;

namespace Playground.SpeedBenchmarks;

/// <summary>
/// The CPython programs the playground is measured against, written to a temporary folder for the
/// length of the benchmark and run with python3. Each prints one JSON value on its last line.
/// </summary>
internal sealed class ReferencePrograms : IDisposable
{
    private readonly string _python;
    private readonly DirectoryInfo _folder;

    public ReferencePrograms(string python)
    {
        _python = python;
        _folder = Directory.CreateTempSubdirectory("speed-bench-");
        foreach (var (name, text) in Scripts)
        {
            File.WriteAllText(Path.Combine(_folder.FullName, name), text);
        }
    }

    /// <summary>"Python 3.11.7": what <c>python3 --version</c> says.</summary>
    public string Version() => PythonProgram.Run(_python, ["--version"]).Trim();

    /// <summary>queue.Queue(capacity) between two threads; each run's steady window (10%-th to 90%-th get).</summary>
    public List<Window> ThreadsQueue(int capacity, int items, int runs) =>
        Windows(Call("threads_queue.py", Text.Of(capacity), Text.Of(items), Text.Of(runs)));

    /// <summary>multiprocessing.Queue(capacity) between two processes; each run's steady window.</summary>
    public List<Window> ProcessQueue(int capacity, int items, int runs) =>
        Windows(Call("mp_queue.py", Text.Of(capacity), Text.Of(items), Text.Of(runs)));

    /// <summary>POSIX semaphore ping-pong between two processes, the bounced one asleep: round trip / 2 and the stamped one-way wake-up, in µs.</summary>
    public (List<double> HalfTrip, List<double> OneWay) PingPong(int rounds, double pauseSeconds)
    {
        var result = Call("sem_pingpong.py", Text.Of(rounds), Text.Of(pauseSeconds));
        return (Numbers(result.GetProperty("halfTripUs")), Numbers(result.GetProperty("oneWayUs")));
    }

    /// <summary>put → get through multiprocessing.Queue(1), an item every ~pause: µs per item.</summary>
    public List<double> ProcessQueueHandOff(int items, double pauseSeconds) =>
        Numbers(Call("mp_handoff.py", Text.Of(items), Text.Of(pauseSeconds)).GetProperty("latencyUs"));

    /// <summary>Process.start() → the child's first statement under a start method (fork, spawn): ms per child.</summary>
    public List<double> ChildStart(string method, int children) =>
        Numbers(Call("mp_start.py", method, Text.Of(children)).GetProperty("startupMs"));

    public void Dispose() => _folder.Delete(recursive: true);

    private JsonElement Call(string script, params string[] arguments) =>
        PythonProgram.Call(_python, [Path.Combine(_folder.FullName, script), .. arguments]);

    private static List<Window> Windows(JsonElement runs) =>
        [.. runs.EnumerateArray().Select(r => new Window(r.GetProperty("items").GetInt64(), r.GetProperty("seconds").GetDouble()))];

    private static List<double> Numbers(JsonElement array) => [.. array.EnumerateArray().Select(e => e.GetDouble())];

    private static readonly (string Name, string Text)[] Scripts =
    [
        ("threads_queue.py", """
            # CPython's queue.Queue between two threading.Threads: one producer, one consumer, a None at
            # the end. Per run: the consumer's gets between its 10%-th and its 90%-th, and the seconds
            # they took (time.monotonic inside the consumer), as the playground's runs are read.
            import json
            import queue
            import sys
            import threading
            import time


            def run(capacity, items):
                q = queue.Queue(capacity)
                lo, hi = items // 10, items * 9 // 10
                window = {}

                def produce():
                    for i in range(items):
                        q.put(i)
                    q.put(None)

                def consume():
                    get = q.get
                    for _ in range(lo + 1):
                        get()
                    t0 = time.monotonic()
                    for _ in range(hi - lo):
                        get()
                    window["seconds"] = time.monotonic() - t0
                    while get() is not None:
                        pass

                threads = [threading.Thread(target=consume), threading.Thread(target=produce)]
                for t in threads:
                    t.start()
                for t in threads:
                    t.join()
                return {"items": hi - lo, "seconds": window["seconds"]}


            if __name__ == "__main__":
                capacity, items, runs = (int(a) for a in sys.argv[1:4])
                print(json.dumps([run(capacity, items) for _ in range(runs)]))
            """),
        ("mp_queue.py", """
            # CPython's multiprocessing.Queue between two processes: one producer, one consumer, a None
            # at the end. Per run: the consumer's gets between its 10%-th and its 90%-th and the seconds
            # they took, timed inside the consumer, so starting the processes is left out.
            import json
            import multiprocessing as mp
            import sys
            import time


            def produce(q, items):
                for i in range(items):
                    q.put(i)
                q.put(None)


            def consume(q, items, results):
                lo, hi = items // 10, items * 9 // 10
                get = q.get
                for _ in range(lo + 1):
                    get()
                t0 = time.monotonic()
                for _ in range(hi - lo):
                    get()
                seconds = time.monotonic() - t0
                while get() is not None:
                    pass
                results.send({"items": hi - lo, "seconds": seconds})


            def run(capacity, items):
                q = mp.Queue(capacity)
                receive, send = mp.Pipe(duplex=False)
                processes = [mp.Process(target=consume, args=(q, items, send)), mp.Process(target=produce, args=(q, items))]
                for p in processes:
                    p.start()
                result = receive.recv()
                for p in processes:
                    p.join()
                return result


            if __name__ == "__main__":
                capacity, items, runs = (int(a) for a in sys.argv[1:4])
                print(json.dumps([run(capacity, items) for _ in range(runs)]))
            """),
        ("sem_pingpong.py", """
            # Two processes bounce a wake-up through two multiprocessing.Semaphore(0): POSIX semaphores,
            # sem_post / sem_wait, what the kernel offers. Before each round trip the parent sleeps about
            # 1 ms, so the child is asleep in sem_wait when the post comes. One-way = round trip / 2; the
            # child also stamps each wake-up (CLOCK_MONOTONIC, one clock for every process) for a direct
            # one-way figure.
            import json
            import multiprocessing as mp
            import sys
            import time


            def bounce(ping, pong, woke, rounds):
                for i in range(rounds):
                    ping.acquire()
                    woke[i] = time.perf_counter_ns()
                    pong.release()


            if __name__ == "__main__":
                rounds, pause = int(sys.argv[1]), float(sys.argv[2])
                warm = 50
                ping, pong = mp.Semaphore(0), mp.Semaphore(0)
                woke = mp.Array("q", warm + rounds, lock=False)
                child = mp.Process(target=bounce, args=(ping, pong, woke, warm + rounds))
                child.start()
                trips, posted = [], []
                for i in range(warm + rounds):
                    time.sleep(pause)
                    t0 = time.perf_counter_ns()
                    ping.release()
                    pong.acquire()
                    t1 = time.perf_counter_ns()
                    if i >= warm:
                        trips.append(t1 - t0)
                        posted.append(t0)
                child.join()
                print(json.dumps({
                    "halfTripUs": [t / 2000 for t in trips],
                    "oneWayUs": [(woke[warm + i] - posted[i]) / 1000 for i in range(rounds)],
                }))
            """),
        ("mp_handoff.py", """
            # multiprocessing.Queue(1) between two processes, the producer making an item every ~1 ms, so
            # the consumer is asleep on the empty queue when each item comes. Latency = the consumer's
            # stamp after get() minus the producer's stamp before put() of the same item (CLOCK_MONOTONIC).
            import json
            import multiprocessing as mp
            import sys
            import time


            def produce(q, items, pause):
                for i in range(items):
                    time.sleep(pause)
                    q.put((i, time.perf_counter_ns()))
                q.put(None)


            def consume(q, results):
                latencies = []
                while True:
                    item = q.get()
                    now = time.perf_counter_ns()
                    if item is None:
                        break
                    latencies.append((now - item[1]) / 1000)
                results.send(latencies)


            if __name__ == "__main__":
                items, pause = int(sys.argv[1]), float(sys.argv[2])
                q = mp.Queue(1)
                receive, send = mp.Pipe(duplex=False)
                processes = [mp.Process(target=consume, args=(q, send)), mp.Process(target=produce, args=(q, items, pause))]
                for p in processes:
                    p.start()
                latencies = receive.recv()
                for p in processes:
                    p.join()
                print(json.dumps({"latencyUs": latencies}))
            """),
        ("mp_start.py", """
            # How soon a multiprocessing child runs its first statement: the parent stamps just before
            # Process.start(), the child's target stamps first thing and sends it back (CLOCK_MONOTONIC).
            import json
            import multiprocessing as mp
            import sys
            import time


            def first(send):
                send.send(time.monotonic_ns())


            if __name__ == "__main__":
                method, count = sys.argv[1], int(sys.argv[2])
                context = mp.get_context(method)
                startup = []
                for i in range(count + 2):
                    receive, send = context.Pipe(duplex=False)
                    child = context.Process(target=first, args=(send,))
                    t0 = time.monotonic_ns()
                    child.start()
                    ran = receive.recv()
                    child.join()
                    # The first two warm the page cache and the interpreter's imports.
                    if i >= 2:
                        startup.append((ran - t0) / 1e6)
                print(json.dumps({"startupMs": startup}))
            """),
    ];
}

/// <summary>A steady-state stretch of a run: items moved and the seconds they took.</summary>
internal readonly record struct Window(long Items, double Seconds);

internal static class Text
{
    public static string Of(int value) => value.ToString(CultureInfo.InvariantCulture);

    public static string Of(double value) => value.ToString(CultureInfo.InvariantCulture);
}
