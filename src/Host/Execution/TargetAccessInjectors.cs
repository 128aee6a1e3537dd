using Host.Abstractions;
using Host.Injection;
using Host.Injection.Gdb;

namespace Host.Execution;

/// <summary>
/// Gives each capability the injector its declared <see cref="TargetAccess"/> calls for: the real
/// one to a capability that injects, one that refuses to one that does not, so that it never
/// starts gdb nor copies the agent into the target.
/// </summary>
internal static class TargetAccessInjectors
{
    /// <remarks>Reads the plugin's Access property: call it where a plugin's faults are caught.</remarks>
    public static IInjector For(ICapability capability, TimeSpan timeout, GdbTransport? prestarted) =>
        For(capability, () => new Injector(timeout, prestarted: prestarted));

    /// <param name="injecting">Makes the real injector, only for a capability that injects.</param>
    public static IInjector For(ICapability capability, Func<IInjector> injecting) =>
        capability.Access == TargetAccess.Inject ? injecting() : new RefusingInjector(capability.Name, capability.Access);

    private sealed class RefusingInjector(string name, TargetAccess access) : IInjector
    {
        public Task<ITarget> AttachAsync(int pid, CancellationToken cancellationToken) =>
            throw new CapabilityException(ExitCodes.Failed,
                $"the capability '{name}' declares that it does not inject ({access}), yet it tried to attach to process {pid}",
                "its author should declare TargetAccess.Inject in the capability's Access property");
    }
}
