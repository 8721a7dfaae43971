namespace Playground.Scenarios.Processes;

/// <summary>
/// A few 64-bit words in a /dev/shm file named after a run (<c>/dev/shm/pg-&lt;key&gt;-&lt;name&gt;</c>),
/// for what the actors of a run share besides their primitives (a notice, a claim, a count),
/// changed with atomic operations. The server creates and unlinks it; each child opens it.
/// </summary>
public sealed unsafe class SharedWords : IDisposable
{
    private const int MaxWords = 8;
    private readonly SharedMapping _mapping;

    private SharedWords(SharedMapping mapping) => _mapping = mapping;

    public static string PathOf(string key, string name) => $"/dev/shm/pg-{key}-{name}";

    public static SharedWords Create(string key, string name) => new(SharedMapping.Create(PathOf(key, name), MaxWords * sizeof(long)));

    public static SharedWords Open(string key, string name) => new(SharedMapping.Open(PathOf(key, name)));

    /// <summary>Removes the file; nothing happens when it is already gone.</summary>
    public static void Unlink(string key, string name)
    {
        try
        {
            File.Delete(PathOf(key, name));
        }
        catch (IOException)
        {
        }
    }

    /// <summary>Word <paramref name="index"/> (below 8), for Volatile and Interlocked operations.</summary>
    public ref long this[int index]
    {
        get
        {
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)index, (uint)MaxWords, nameof(index));
            return ref ((long*)_mapping.Pointer)[index];
        }
    }

    public void Dispose() => _mapping.Dispose();
}
