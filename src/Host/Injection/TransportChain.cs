using Host.Injection.Gdb;
using Host.Injection.Ptrace;
using Host.Injection.Transports;

namespace Host.Injection;

/// <summary>
/// Runs injection plans for one target: first by the quick ptrace transport (host-inject), and by
/// gdb only when that one found no thread at a safe point at once, or cannot work here. gdb is
/// looked for only then, unless one was started ahead of need (host-inject is missing).
/// </summary>
internal sealed class TransportChain(GdbTransport? prestarted)
{
    private GdbTransport? _prestarted = prestarted;

    public async Task<InjectionReport> RunAsync(int pid, IReadOnlyList<InjectionStep> steps, TimeSpan timeout, IReadOnlyList<string>? libraries = null)
    {
        var prestarted = Interlocked.Exchange(ref _prestarted, null);
        if (prestarted is null && PtraceTransport.Locate() is { } quick)
        {
            var started = DateTime.UtcNow;
            var report = await quick.RunAsync(pid, steps, timeout, libraries ?? []).ConfigureAwait(false);
            if (!WantsFallback(report))
                return report;
            timeout -= DateTime.UtcNow - started;
            if (timeout < TimeSpan.FromSeconds(1))
                timeout = TimeSpan.FromSeconds(1);
        }
        var gdb = prestarted ?? GdbTransport.Start(GdbLocator.Find(), SessionNames.GdbScratchPrefix());
        await using (gdb.ConfigureAwait(false))
            return await gdb.RunAsync(pid, steps, timeout, libraries ?? []).ConfigureAwait(false);
    }

    /// <summary>True when gdb may still succeed where the quick transport could not: it waits for a safe point, and needs no libunwind.</summary>
    private static bool WantsFallback(InjectionReport report) =>
        report.Error?.Failure is FailureKind.NoSafePoint or FailureKind.Unavailable;
}
