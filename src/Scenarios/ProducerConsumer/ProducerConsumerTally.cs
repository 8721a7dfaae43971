using System.Collections.Concurrent;
using Playground.Scenarios.Recording;
using Playground.Shared.Events;

namespace Playground.Scenarios.ProducerConsumer;

/// <summary>
/// What a run's events say about its items: how often each id was put and got, the wasted polls,
/// and each actor's count. Fed with every event as it is recorded — by actor threads in threads
/// mode, by the pipe readers in processes mode — so it is safe to call from many threads at once.
/// </summary>
internal sealed class ProducerConsumerTally
{
    // Each actor's count sits on cache lines of its own (128 bytes apart): a producer's and a
    // consumer's thread count at every put and get, and must not pull one line back and forth.
    private const int CountStride = 16;

    private readonly int _producers;
    private readonly int _actors;
    private readonly int[] _putTimes;
    private readonly int[] _gotTimes;
    private readonly long[] _counts;
    private readonly ConcurrentQueue<long> _strayPuts = new();
    private readonly ConcurrentQueue<long> _strayGets = new();
    private long _polls;

    public ProducerConsumerTally(ProducerConsumerSettings s)
    {
        _producers = s.Producers;
        _putTimes = new int[s.TotalItems];
        _gotTimes = new int[s.TotalItems];
        _actors = s.Producers + s.Consumers;
        _counts = new long[_actors * CountStride];
    }

    /// <summary>Polls of an empty queue, and gets that lost the race after empty() said no.</summary>
    public long Polls => Interlocked.Read(ref _polls);

    public void Add(in RawEvent e)
    {
        var producer = e.Actor < _producers;
        switch (e.Kind)
        {
            case EventKind.Poll when !producer:
                Interlocked.Increment(ref _polls);
                break;
            case EventKind.Put when producer && e.Value != ProducerConsumerActors.SentinelItem:
                Count(e.Actor, e.Value, _putTimes, _strayPuts);
                break;
            case EventKind.Get when !producer && e.Value != ProducerConsumerActors.SentinelItem:
                Count(e.Actor, e.Value, _gotTimes, _strayGets);
                break;
        }
    }

    /// <summary>Every item put, once per put.</summary>
    public List<long> Produced() => Expand(_putTimes, _strayPuts);

    /// <summary>Every item got (sentinels excluded), once per get.</summary>
    public List<long> Consumed() => Expand(_gotTimes, _strayGets);

    /// <summary>Items put by each producer, then items got by each consumer.</summary>
    public long[] CountPerActor()
    {
        var counts = new long[_actors];
        for (var a = 0; a < counts.Length; a++)
        {
            counts[a] = Interlocked.Read(ref _counts[a * CountStride]);
        }

        return counts;
    }

    private void Count(int actor, long item, int[] times, ConcurrentQueue<long> strays)
    {
        if ((uint)actor < (uint)_actors)
        {
            Interlocked.Increment(ref _counts[actor * CountStride]);
        }

        // Ids are dense; one outside them is no item of this run, and the invariant names it.
        if (item >= 0 && item < times.Length)
        {
            Interlocked.Increment(ref times[item]);
        }
        else
        {
            strays.Enqueue(item);
        }
    }

    private static List<long> Expand(int[] times, ConcurrentQueue<long> strays)
    {
        var list = new List<long>(times.Length);
        for (var i = 0; i < times.Length; i++)
        {
            for (var k = Volatile.Read(ref times[i]); k > 0; k--)
            {
                list.Add(i);
            }
        }

        list.AddRange(strays);
        return list;
    }
}
