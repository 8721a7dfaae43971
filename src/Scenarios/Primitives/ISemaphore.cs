using Playground.Scenarios.Recording;

namespace Playground.Scenarios.Primitives;

/// <summary>Python's two semaphores: one whose count may grow past its start, and one that refuses to.</summary>
public enum SemaphoreKind
{
    /// <summary>threading.Semaphore: an extra release silently adds a permit.</summary>
    Counting,
    /// <summary>threading.BoundedSemaphore: a release that would lift the count above its start raises.</summary>
    Bounded,
}

/// <summary>A bounded semaphore was released more often than it was acquired (Python's ValueError).</summary>
public sealed class SemaphoreOverReleasedException(string resource, int permits)
    : InvalidOperationException($"{resource}: released too many times (the count would exceed {permits})")
{
    public string Resource { get; } = resource;
    public int Permits { get; } = permits;
}

/// <summary>
/// A counting semaphore that records what its callers do: <c>wait</c> only when a caller really
/// blocks, <c>acquire</c> and <c>release</c> with the number of holders inside after the call (the
/// "in use" gauge: holders are tracked per actor, exactly, under the primitive's own lock — never a
/// racy snapshot of the count), and <c>error</c> when a bounded semaphore refuses a release.
/// Thread, async and process flavours implement it.
/// </summary>
public interface ISemaphore
{
    string Resource { get; }

    /// <summary>The count it started with.</summary>
    int Permits { get; }

    SemaphoreKind Kind { get; }

    /// <summary>Takes a permit, blocking while none is free.</summary>
    void Acquire(IActorRecorder actor, CancellationToken cancellationToken);

    /// <summary>
    /// Gives a permit back. A release by an actor that holds none is an over-release: a counting
    /// semaphore gains a permit; a bounded one records <c>error</c> and throws
    /// <see cref="SemaphoreOverReleasedException"/> when the count would pass <see cref="Permits"/>.
    /// </summary>
    void Release(IActorRecorder actor);
}

/// <summary>The async flavour: waiting tasks hold no thread.</summary>
public interface IAsyncSemaphore
{
    string Resource { get; }

    int Permits { get; }

    SemaphoreKind Kind { get; }

    ValueTask AcquireAsync(IActorRecorder actor, CancellationToken cancellationToken);

    /// <inheritdoc cref="ISemaphore.Release"/>
    void Release(IActorRecorder actor);
}
