namespace Host.Abstractions;

/// <summary>What the host gives a capability for one run.</summary>
public interface ICapabilityContext
{
    /// <summary>The target process id given with --pid.</summary>
    int Pid { get; }

    /// <summary>The values of the capability's own options.</summary>
    ICapabilityArguments Arguments { get; }

    /// <summary>Attaches to processes; the way in to the injection primitives.</summary>
    IInjector Injector { get; }

    /// <summary>Where results go: standard output, or the file given with -o.</summary>
    TextWriter Output { get; }

    /// <summary>
    /// Short progress notes ("attaching", "waiting for the GIL"); shown on a terminal only, each
    /// replacing the last. An empty note clears the line, before a capability streams its output.
    /// </summary>
    IProgress<string> Progress { get; }

    /// <summary>The bound on any single wait (--timeout).</summary>
    TimeSpan Timeout { get; }
}
