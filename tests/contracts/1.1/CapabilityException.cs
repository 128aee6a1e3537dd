namespace Host.Abstractions;

/// <summary>
/// An error meant for the user: printed as "error: Message" and "hint: Hint", never with a stack
/// trace, and turned into <see cref="ExitCode"/>.
/// </summary>
public sealed class CapabilityException : Exception
{
    /// <summary>Creates the error.</summary>
    public CapabilityException(int exitCode, string message, string? hint = null, Exception? inner = null)
        : base(message, inner)
    {
        ExitCode = exitCode;
        Hint = hint;
    }

    /// <summary>One of <see cref="ExitCodes"/>.</summary>
    public int ExitCode { get; }

    /// <summary>What the user can do about it, or null.</summary>
    public string? Hint { get; }
}
