namespace Host.Abstractions;

/// <summary>
/// Primitive (contract 1.3): read a target's memory from outside. Nothing runs in the target and
/// nothing is left in it, so it works on a process that is hung, stopped or holding the GIL for
/// good. Every pointer read from a running target may be stale: a reader checks what it reads.
/// </summary>
public interface IProcessReader : IDisposable
{
    /// <summary>The process, as inspected from outside.</summary>
    TargetProcess Process { get; }

    /// <summary>Reads <paramref name="destination"/>.Length bytes at <paramref name="address"/>; true only when all of them were read.</summary>
    /// <exception cref="CapabilityException">The process has exited.</exception>
    bool TryRead(ulong address, Span<byte> destination);

    /// <summary>
    /// Where a symbol of the interpreter's file (libpython, or the executable it is linked into) is in
    /// the target, from its symbol tables; null when it has no such symbol.
    /// </summary>
    ulong? FindSymbol(string name);

    /// <summary>
    /// Every thread's Python stack, read from the interpreter's state in memory. By default every
    /// thread is stopped for the moment of the read (a few milliseconds at most) and released,
    /// even if host dies.
    /// </summary>
    /// <exception cref="CapabilityException">The interpreter cannot be read (version, build, permission), or the process exited.</exception>
    Task<PythonStacks> ReadStacksAsync(StackReadOptions options, CancellationToken cancellationToken);

    /// <summary>
    /// A sampler of this target's stacks (contract 1.4): for reading them many times a second, as a
    /// profiler does. It shares nothing with this reader but the process: dispose it on its own.
    /// </summary>
    /// <exception cref="CapabilityException">The interpreter cannot be read (version, build, permission), or the process exited.</exception>
    IStackSampler OpenSampler(SamplerOptions options) =>
        throw new CapabilityException(ExitCodes.Failed, "this host cannot sample a target's stacks (it is older than contract 1.4)");
}

/// <summary>How <see cref="IProcessReader.ReadStacksAsync"/> reads (contract 1.3).</summary>
public sealed record StackReadOptions
{
    /// <summary>Also read each frame's local variables: simple values in full, others as type and address.</summary>
    public bool Locals { get; init; }

    /// <summary>Do not stop the threads: no pause at all in the target, but a stack may be torn.</summary>
    public bool Nonblocking { get; init; }
}
