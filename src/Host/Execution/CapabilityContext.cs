using Host.Abstractions;
using Host.Processes;
using Host.Reading;

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
    /// <summary>What the capability declared it needs: one that declares <see cref="TargetAccess.None"/> may not read either.</summary>
    public TargetAccess Access { get; init; } = TargetAccess.Inject;

    public string? OutputPath { get; init; }

    public Task<TargetProcess> InspectAsync(CancellationToken cancellationToken) => Task.FromResult(EarlyInspection.Inspect(Pid));

    public Task<IProcessReader> OpenReaderAsync(CancellationToken cancellationToken)
    {
        if (Access == TargetAccess.None)
            throw new CapabilityException(ExitCodes.Failed,
                $"this capability declares that it needs no access to process {Pid}, yet it tried to read its memory",
                "its author should declare TargetAccess.ReadMemory in the capability's Access property");
        return Task.FromResult<IProcessReader>(new TargetReader(EarlyInspection.Inspect(Pid)));
    }
}
