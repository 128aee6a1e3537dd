using Host.Abstractions;

namespace Misbehaving;

/// <summary>A capability whose constructor throws, as one reading a missing configuration file would.</summary>
public sealed class ThrowingConstructor : ICapability
{
    public ThrowingConstructor() => throw new InvalidOperationException("the configuration file /etc/misbehaving.conf is missing");

    public string Name => "throwing-constructor";

    public string Description => "Never gets this far";

    public IReadOnlyList<CapabilityOption> Options => [];

    public Task<int> RunAsync(ICapabilityContext context, CancellationToken cancellationToken) => Task.FromResult(ExitCodes.Ok);
}
