namespace Host.Abstractions;

/// <summary>
/// Primitive (contract 1.4): the stacks of one target read again and again, as a sampling profiler
/// reads them. What one read learns (code objects, names, line tables, where each thread's state
/// is) is kept for the next, and checked before it is used again, so a sample costs little more
/// than reading the frames themselves. Frames come as ids into a table that only grows
/// (<see cref="Frame"/>): a consumer counts stacks of ids and names them once, at the end.
/// Not thread-safe; with <see cref="SamplerOptions.StopThreads"/>, call it from one thread only
/// (ptrace ties the threads it stops to the thread that stops them).
/// </summary>
public interface IStackSampler : IDisposable
{
    /// <summary>The process, as inspected from outside when the sampler was opened.</summary>
    TargetProcess Process { get; }

    /// <summary>False on a free-threaded build: there is no GIL, and <see cref="SampledThread.HoldsGil"/> is always null.</summary>
    bool HasGil { get; }

    /// <summary>Reads every thread's stack once.</summary>
    /// <exception cref="CapabilityException">The process exited (<see cref="ExitCodes.TargetNotFound"/>), or may no longer be read.</exception>
    StackSample Sample();

    /// <summary>The frame an id of <see cref="SampledThread.Frames"/> stands for.</summary>
    SampledFrame Frame(int id);
}

/// <summary>How an <see cref="IStackSampler"/> reads (contract 1.4).</summary>
public sealed record SamplerOptions
{
    /// <summary>
    /// Stop every thread for each sample (PTRACE_SEIZE/INTERRUPT, released right after the read):
    /// each stack is one consistent moment, at the cost of a pause per sample. By default the
    /// threads run on and a stack may be torn; a torn one is reported, not guessed.
    /// </summary>
    public bool StopThreads { get; init; }

    /// <summary>Also tell which system call each sleeping thread is in (a wait for the GIL is not idle): one more /proc read per sleeping thread.</summary>
    public bool GilWaits { get; init; } = true;
}
