namespace Host.Abstractions;

/// <summary>
/// What a capability needs of its target (contract 1.2). The host prepares only that: a capability
/// that does not inject never makes host start gdb or copy the agent into the target.
/// </summary>
public enum TargetAccess
{
    /// <summary>Runs code in the target: <see cref="ICapabilityContext.Injector"/> (the only kind before 1.2).</summary>
    Inject,

    /// <summary>Reads the target's memory from outside and runs nothing in it.</summary>
    ReadMemory,

    /// <summary>Needs neither: it works from what <see cref="ICapabilityContext.InspectAsync"/> tells of the process, or from nothing.</summary>
    None,
}
