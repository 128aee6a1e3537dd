using Host.Abstractions;

namespace Inspecting;

/// <summary>
/// A capability that declares it does not inject (contract 1.2): it describes the target from
/// outside, and with --attach tries to attach anyway, which host must refuse.
/// </summary>
public sealed class InspectCapability : ICapability
{
    public string Name => "inspect";

    public string Description => "Describe the target from outside, without injecting";

    public TargetAccess Access => TargetAccess.None;

    public IReadOnlyList<CapabilityOption> Options { get; } =
    [
        new("attach", "Try to attach as well (host must refuse: this capability declared it does not inject)", OptionKind.Flag),
    ];

    public async Task<int> RunAsync(ICapabilityContext context, CancellationToken cancellationToken)
    {
        var process = await context.InspectAsync(cancellationToken);
        await context.Output.WriteLineAsync($"version={process.Version} major={process.Version?.Major} minor={process.Version?.Minor} micro={process.Version?.Micro} level={process.Version?.ReleaseLevel}");
        await context.Output.WriteLineAsync($"free_threaded={process.IsFreeThreaded} debug={process.IsDebugBuild} python={process.PythonVersion}");
        if (context.Arguments.GetFlag("attach"))
            await using (await context.Injector.AttachAsync(context.Pid, cancellationToken))
                await context.Output.WriteLineAsync("attached");
        return ExitCodes.Ok;
    }
}
