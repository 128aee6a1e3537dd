namespace Host.Abstractions;

// What an IStackSampler gives (contract 1.4): lighter than the stack model (PythonStacks), since a
// profiler takes thousands of these a second. Frames are ids; names are resolved once per id.

/// <summary>Every thread's stack at one moment, as an <see cref="IStackSampler"/> read it.</summary>
public sealed class StackSample
{
    /// <summary>A sample of <paramref name="threads"/>.</summary>
    public StackSample(IReadOnlyList<SampledThread> threads) => Threads = threads;

    /// <summary>The interpreter's threads, in its order; empty when <see cref="Failure"/> says why.</summary>
    public IReadOnlyList<SampledThread> Threads { get; }

    /// <summary>Why nothing could be read this time (the thread list changed under the read, say), or null.</summary>
    public string? Failure { get; init; }

    /// <summary>Every thread was stopped for this read, so the stacks are one consistent moment.</summary>
    public bool ThreadsStopped { get; init; }

    /// <summary>With the threads stopped: how long the target was paused, in milliseconds.</summary>
    public double? PauseMilliseconds { get; init; }
}

/// <summary>One thread of a <see cref="StackSample"/>.</summary>
public sealed class SampledThread
{
    /// <summary>A thread and its frame ids, outermost first.</summary>
    public SampledThread(long ident, int[] frames)
    {
        Ident = ident;
        Frames = frames;
    }

    /// <summary>threading.get_ident().</summary>
    public long Ident { get; }

    /// <summary>Ids of <see cref="IStackSampler.Frame"/>, outermost first, as in <see cref="PythonThread.Frames"/>.</summary>
    public int[] Frames { get; }

    /// <summary>The OS thread id, where known.</summary>
    public long? NativeId { get; init; }

    /// <summary>threading's name for the thread, where known (names are read again when a thread appears, at most once a second).</summary>
    public string? Name { get; init; }

    /// <summary>The main thread.</summary>
    public bool Main { get; init; }

    /// <summary>One of <see cref="ThreadStates"/>, or null where /proc did not show the thread.</summary>
    public string? State { get; init; }

    /// <summary>Holds the GIL at the moment of the read; null on a build without a GIL or where it cannot be told.</summary>
    public bool? HoldsGil { get; init; }

    /// <summary>Why this thread's stack could not be read whole (it changed during the read), or null; <see cref="Frames"/> is then what was read before.</summary>
    public string? Failure { get; init; }
}

/// <summary>A frame of a sample, by value: frames the same in all four are one id.</summary>
/// <param name="Function">co_qualname where the interpreter has it (3.11+), else co_name.</param>
/// <param name="File">co_filename.</param>
/// <param name="Line">The line the frame was at, or null where the line table gives none.</param>
/// <param name="FirstLine">co_firstlineno: where the function starts.</param>
public sealed record SampledFrame(string Function, string File, int? Line, int FirstLine);
