using Host.Abstractions;
using Host.Processes;

namespace Host.Injection.Gdb;

/// <summary>Primitive 1 (attach) for the gdb backend.</summary>
internal sealed class GdbInjector(TimeSpan timeout, string? agentPath = null, HeadStart? headStart = null) : IInjector
{
    public Task<ITarget> AttachAsync(int pid, CancellationToken cancellationToken)
    {
        if (agentPath is null && headStart?.TakeTarget(pid) is { } prepared)
            return Task.FromResult<ITarget>(new GdbTarget(prepared.Process, Runner(), prepared.Agent, timeout, prepared.Session));
        var process = TargetInspector.Inspect(pid);
        StaleSessions.Sweep();
        var agent = AgentLibrary.Find(agentPath);
        return Task.FromResult<ITarget>(new GdbTarget(process, Runner(), agent, timeout));
    }

    // A prestarted gdb runs one plan: only the first target gets it (a recipe attaches many times).
    private GdbRunner Runner() => new(GdbLocator.Find, headStart?.TakeGdb());
}
