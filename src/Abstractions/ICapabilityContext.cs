namespace Host.Abstractions;

/// <summary>What the host gives a capability for one run.</summary>
public interface ICapabilityContext
{
    /// <summary>The target process id given with --pid.</summary>
    int Pid { get; }

    /// <summary>The values of the capability's own options.</summary>
    ICapabilityArguments Arguments { get; }

    /// <summary>
    /// Attaches to processes; the way in to the injection primitives. For a capability whose
    /// <see cref="ICapability.Access"/> is not <see cref="TargetAccess.Inject"/>, it refuses to attach.
    /// </summary>
    IInjector Injector { get; }

    /// <summary>Where results go: standard output, or the file given with -o.</summary>
    TextWriter Output { get; }

    /// <summary>
    /// The file given with -o, or null when results go to standard output or are captured (contract 1.4):
    /// a capability may choose its format from the file's name, as `-o profile.svg` does.
    /// </summary>
    string? OutputPath => null;

    /// <summary>
    /// Where results go, as bytes, for a binary format (contract 1.4): the destination of <see cref="Output"/>,
    /// which is flushed first. Throws <see cref="CapabilityException"/> where the output is text only
    /// (a recipe's run() captures text).
    /// </summary>
    Stream OpenBinaryOutput()
    {
        Output.Flush();
        return Output is StreamWriter { BaseStream: { CanWrite: true } stream }
            ? stream
            : throw new CapabilityException(ExitCodes.Usage, "this output takes text only: choose a text format");
    }

    /// <summary>
    /// Short progress notes ("attaching", "waiting for the GIL"); shown on a terminal only, each
    /// replacing the last. An empty note clears the line, before a capability streams its output.
    /// </summary>
    IProgress<string> Progress { get; }

    /// <summary>The bound on any single wait (--timeout).</summary>
    TimeSpan Timeout { get; }

    /// <summary>
    /// Checks from outside, touching nothing, that <see cref="Pid"/> is a live CPython process, and
    /// describes it (contract 1.2). Throws <see cref="CapabilityException"/> with the reason when it is not.
    /// Unlike attaching, it accepts a stopped or traced process: reading it is not injecting.
    /// </summary>
    Task<TargetProcess> InspectAsync(CancellationToken cancellationToken) => InspectByAttachingAsync(this, cancellationToken);

    /// <summary>
    /// Opens the target's memory for reading from outside (contract 1.3): the way in to
    /// <see cref="IProcessReader"/>. Refused for a capability whose <see cref="ICapability.Access"/> is <see cref="TargetAccess.None"/>.
    /// Throws <see cref="CapabilityException"/> when <see cref="Pid"/> is not a live CPython process or may not be read.
    /// </summary>
    Task<IProcessReader> OpenReaderAsync(CancellationToken cancellationToken) =>
        throw new CapabilityException(ExitCodes.Failed, "this host cannot read a target's memory (it is older than contract 1.3)");

    /// <summary>
    /// Opens the memory of a process that descends from <see cref="Pid"/> (a child, a grandchild...)
    /// for reading from outside (contract 1.4), as a profiler that follows subprocesses does. Refused
    /// for any other process, and as <see cref="OpenReaderAsync(CancellationToken)"/> is.
    /// </summary>
    Task<IProcessReader> OpenDescendantReaderAsync(int pid, CancellationToken cancellationToken) =>
        throw new CapabilityException(ExitCodes.Failed, "this host cannot read a subprocess's memory (it is older than contract 1.4)");

    private static async Task<TargetProcess> InspectByAttachingAsync(ICapabilityContext context, CancellationToken cancellationToken)
    {
        // For a context written before 1.2: attaching inspects as well, and stops nothing.
        await using var target = await context.Injector.AttachAsync(context.Pid, cancellationToken).ConfigureAwait(false);
        return target.Process;
    }
}
