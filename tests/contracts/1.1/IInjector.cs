namespace Host.Abstractions;

/// <summary>Primitive 1: attach. Verifies a process and prepares a session for the other primitives.</summary>
public interface IInjector
{
    /// <summary>
    /// Checks that <paramref name="pid"/> is a live CPython process we may trace and returns it as a
    /// target. Throws <see cref="CapabilityException"/> with a precise reason when it is not.
    /// The target is not stopped by this call; each primitive stops it only briefly.
    /// </summary>
    Task<ITarget> AttachAsync(int pid, CancellationToken cancellationToken);
}
