using Host.Abstractions;

namespace Misbehaving;

/// <summary>A capability that ignores its cancellation token and never returns by itself.</summary>
public sealed class IgnoresInterrupt : ICapability
{
    public string Name => "ignores-interrupt";

    public string Description => "Waits for ever, deaf to Ctrl-C";

    public IReadOnlyList<CapabilityOption> Options => [];

    public async Task<int> RunAsync(ICapabilityContext context, CancellationToken cancellationToken)
    {
        await context.Output.WriteLineAsync("waiting");
        await context.Output.FlushAsync(CancellationToken.None);
        await Task.Delay(Timeout.Infinite, CancellationToken.None);
        return ExitCodes.Ok;
    }
}
