namespace Host.Injection.Transports;

/// <summary>
/// Why an injection failed, as both transports report it ("kind" of an "error" event). Each
/// transport turns its own evidence (errno in host-inject, gdb's messages in the gdb driver) into
/// one of these, so nothing above the transports reads a tool's wording.
/// </summary>
internal enum FailureKind
{
    /// <summary>A kind this host does not know (a newer transport): treated as a failed call.</summary>
    Unknown,

    /// <summary>The process does not exist (any more).</summary>
    NoSuchProcess,

    /// <summary>The kernel refused the attach (EPERM).</summary>
    PermissionDenied,

    /// <summary>Attaching failed for another reason.</summary>
    AttachFailed,

    /// <summary>This transport cannot work here (missing library, cannot unwind): another may.</summary>
    Unavailable,

    /// <summary>No thread reached a safe point in time.</summary>
    NoSafePoint,

    /// <summary>A step (a call, loading the agent) failed in the target.</summary>
    CallFailed,

    /// <summary>The thread or the process ended during a step.</summary>
    Exited,

    /// <summary>Detaching reported an error (the calls had finished).</summary>
    DetachFailed,

    /// <summary>gdb runs, but without the Python support its driver needs.</summary>
    GdbWithoutPython,
}

/// <summary>The wire names of <see cref="FailureKind"/>, written by native/injector and gdb_driver.py.</summary>
internal static class FailureKinds
{
    private static readonly (string Name, FailureKind Kind)[] Names =
    [
        ("no-such-process", FailureKind.NoSuchProcess),
        ("permission", FailureKind.PermissionDenied),
        ("attach", FailureKind.AttachFailed),
        ("unavailable", FailureKind.Unavailable),
        ("no-safe-point", FailureKind.NoSafePoint),
        ("call", FailureKind.CallFailed),
        ("exited", FailureKind.Exited),
        ("detach", FailureKind.DetachFailed),
        ("gdb-without-python", FailureKind.GdbWithoutPython),
    ];

    public static FailureKind Parse(string? name)
    {
        foreach (var (known, kind) in Names)
        {
            if (known == name)
                return kind;
        }
        return FailureKind.Unknown;
    }

    public static string Name(FailureKind kind)
    {
        foreach (var (name, known) in Names)
        {
            if (known == kind)
                return name;
        }
        return "unknown";
    }
}
