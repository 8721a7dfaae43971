namespace Playground.Scenarios.Engine;

/// <summary>Raises a shared "highest so far" without a lock, from many threads at once.</summary>
public static class AtomicMax
{
    public static void Raise(ref long highest, long value)
    {
        var seen = Volatile.Read(ref highest);
        while (value > seen)
        {
            var was = Interlocked.CompareExchange(ref highest, value, seen);
            if (was == seen)
            {
                return;
            }

            seen = was;
        }
    }

    public static void Raise(ref int highest, int value)
    {
        var seen = Volatile.Read(ref highest);
        while (value > seen)
        {
            var was = Interlocked.CompareExchange(ref highest, value, seen);
            if (was == seen)
            {
                return;
            }

            seen = was;
        }
    }
}
