using Host.Injection.Ptrace;

namespace Host.Injection.Gdb;

/// <summary>
/// Runs injection plans for one target. Each plan is one attach, safe point, calls, detach: first
/// by the quick ptrace path (host-inject), and by gdb only when that path found no thread at a
/// safe point at once, or cannot unwind stacks here. gdb is looked for only then.
/// </summary>
internal sealed class GdbRunner(Func<string> locateGdb, PendingGdb? prestarted)
{
    private PendingGdb? _prestarted = prestarted;

    /// <param name="libraries">Regular expressions of shared libraries whose symbols the calls need besides libc and the loader (gdb only).</param>
    public async Task<GdbTranscript> RunAsync(int pid, IReadOnlyList<GdbCall> calls, TimeSpan timeout, IReadOnlyList<string>? libraries = null)
    {
        var prestarted = Interlocked.Exchange(ref _prestarted, null);
        if (prestarted is null && PtraceInjection.Locate() is { } quick)
        {
            var started = DateTime.UtcNow;
            var transcript = await PtraceInjection.RunAsync(quick, pid, calls, timeout).ConfigureAwait(false);
            if (!PtraceInjection.WantsGdb(transcript))
                return transcript;
            timeout -= DateTime.UtcNow - started;
            if (timeout < TimeSpan.FromSeconds(1))
                timeout = TimeSpan.FromSeconds(1);
        }
        var gdb = prestarted ?? PendingGdb.Start(locateGdb());
        await using (gdb.ConfigureAwait(false))
            return await gdb.RunAsync(pid, calls, timeout, libraries ?? []).ConfigureAwait(false);
    }
}
