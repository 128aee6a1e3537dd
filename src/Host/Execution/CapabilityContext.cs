using Host.Abstractions;
using Host.Processes;

namespace Host.Execution;

/// <summary>The host's side of one capability run, from `host run` or a recipe's run().</summary>
internal sealed record CapabilityContext(
    int Pid,
    ICapabilityArguments Arguments,
    IInjector Injector,
    TextWriter Output,
    IProgress<string> Progress,
    TimeSpan Timeout) : ICapabilityContext
{
    public Task<TargetProcess> InspectAsync(CancellationToken cancellationToken) => Task.FromResult(TargetInspector.Inspect(Pid));
}
