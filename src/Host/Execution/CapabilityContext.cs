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
        RequireReadAccess(Pid);
        return Task.FromResult<IProcessReader>(new TargetReader(EarlyInspection.Inspect(Pid)));
    }

    public Task<IProcessReader> OpenDescendantReaderAsync(int pid, CancellationToken cancellationToken)
    {
        RequireReadAccess(pid);
        if (!Descends(pid, Pid))
            throw new CapabilityException(ExitCodes.TargetNotFound, $"process {pid} is not a subprocess of process {Pid} (or has exited)");
        return Task.FromResult<IProcessReader>(new TargetReader(Processes.TargetInspector.Inspect(pid)));
    }

    private void RequireReadAccess(int pid)
    {
        if (Access == TargetAccess.None)
            throw new CapabilityException(ExitCodes.Failed,
                $"this capability declares that it needs no access to process {pid}, yet it tried to read its memory",
                "its author should declare TargetAccess.ReadMemory in the capability's Access property");
    }

    /// <summary>Whether <paramref name="pid"/>'s chain of parents reaches <paramref name="ancestor"/> (bounded: a chain is short, and pid 1 ends it).</summary>
    private static bool Descends(int pid, int ancestor)
    {
        var current = pid;
        for (var depth = 0; depth < 256 && current > 1; depth++)
        {
            if (Linux.ProcFs.StatusNumber(current, "PPid") is not { } parent)
                return false;
            if (parent == ancestor)
                return true;
            current = parent;
        }
        return false;
    }
}
