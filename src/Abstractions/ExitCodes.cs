namespace Host.Abstractions;

/// <summary>The process exit codes of `host`, in one place. The README lists them too.</summary>
public static class ExitCodes
{
    /// <summary>It worked.</summary>
    public const int Ok = 0;

    /// <summary>The capability failed, or the target did something unexpected.</summary>
    public const int Failed = 1;

    /// <summary>The command line was wrong.</summary>
    public const int Usage = 2;

    /// <summary>No such process, not CPython, exited, or stopped.</summary>
    public const int TargetNotFound = 3;

    /// <summary>Not allowed to trace the process.</summary>
    public const int PermissionDenied = 4;

    /// <summary>A bounded wait ran out.</summary>
    public const int Timeout = 5;

    /// <summary>The target's interpreter cannot be handled this way: a version or build host does not know (contract 1.3).</summary>
    public const int Unsupported = 6;

    /// <summary>Interrupted by the user (Ctrl-C).</summary>
    public const int Interrupted = 130;
}
