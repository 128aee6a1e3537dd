using Host.Abstractions;
using Host.Processes;

namespace Host.Injection.Gdb;

/// <summary>Primitive 1 (attach) for the gdb backend.</summary>
internal sealed class GdbInjector(TimeSpan timeout, string? agentPath = null, PendingGdb? prestarted = null) : IInjector
{
    // A prestarted gdb runs one plan: only the first target gets it (a recipe attaches many times).
    private PendingGdb? _prestarted = prestarted;

    public Task<ITarget> AttachAsync(int pid, CancellationToken cancellationToken)
    {
        var process = TargetInspector.Inspect(pid);
        StaleSessions.Sweep();
        var agent = AgentLibrary.Find(agentPath);
        return Task.FromResult<ITarget>(new GdbTarget(process, new GdbRunner(GdbLocator.Find, Interlocked.Exchange(ref _prestarted, null)), agent, timeout));
    }
}
