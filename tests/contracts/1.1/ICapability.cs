namespace Host.Abstractions;

/// <summary>
/// One thing `host run NAME` can do to a target process. Implemented by the built-in plugins
/// and by third-party plugin assemblies alike; the host finds it by reflection and creates it
/// through its public parameterless constructor.
/// </summary>
public interface ICapability
{
    /// <summary>The name typed after `host run`: lower case, digits and dashes.</summary>
    string Name { get; }

    /// <summary>One line shown by `host list` and `host run NAME --help`.</summary>
    string Description { get; }

    /// <summary>The capability's own options, besides the --pid, --timeout and -o the host provides.</summary>
    IReadOnlyList<CapabilityOption> Options { get; }

    /// <summary>Does the work. Returns the process exit code (see <see cref="ExitCodes"/>).</summary>
    Task<int> RunAsync(ICapabilityContext context, CancellationToken cancellationToken);
}
