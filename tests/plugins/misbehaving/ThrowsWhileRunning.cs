using Host.Abstractions;

namespace Misbehaving;

/// <summary>A capability that attaches, calls into the target, then fails with an exception of its own.</summary>
public sealed class ThrowsWhileRunning : ICapability
{
    public string Name => "throws-while-running";

    public string Description => "Attaches, calls Py_IsInitialized, then throws";

    public IReadOnlyList<CapabilityOption> Options => [];

    public async Task<int> RunAsync(ICapabilityContext context, CancellationToken cancellationToken)
    {
        await using var target = await context.Injector.AttachAsync(context.Pid, cancellationToken);
        var initialized = await target.CallFunctionAsync(new NativeCall("Py_IsInitialized", NativeType.Int), cancellationToken);
        throw new InvalidOperationException($"the plugin broke after Py_IsInitialized returned {initialized}");
    }
}
