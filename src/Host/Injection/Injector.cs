using Host.Abstractions;
using Host.Injection.Gdb;
using Host.Injection.Transports;
using Host.Processes;
using Host.Reading;

namespace Host.Injection;

/// <summary>
/// Primitive 1 (attach): inspects the process, checks that it may be injected into, and gives a
/// target whose primitives run through the transports (host-inject, then gdb).
/// </summary>
/// <param name="prestarted">A gdb started ahead of need, for the first target only.</param>
internal sealed class Injector(TimeSpan timeout, string? agentPath = null, GdbTransport? prestarted = null) : IInjector
{
    // A prestarted gdb runs one plan: only the first target gets it (a recipe attaches many times).
    private GdbTransport? _prestarted = prestarted;

    public Task<ITarget> AttachAsync(int pid, CancellationToken cancellationToken)
    {
        var process = EarlyInspection.Inspect(pid);
        InjectionPreconditions.Check(pid);
        StaleSessions.Sweep();
        var agent = AgentLibrary.Find(agentPath);
        var transports = new TransportChain(Interlocked.Exchange(ref _prestarted, null));
        return Task.FromResult<ITarget>(new InjectedTarget(process, transports, agent, timeout));
    }
}
