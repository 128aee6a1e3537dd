namespace Host.Injection.Gdb;

/// <summary>
/// Runs gdb plans for one target: the first on the gdb process started ahead of need (if any),
/// later ones on fresh ones. Each plan is one attach, safe point, calls, detach.
/// </summary>
internal sealed class GdbRunner(string gdbPath, PendingGdb? prestarted)
{
    private PendingGdb? _prestarted = prestarted;

    /// <param name="libraries">Regular expressions of shared libraries whose symbols the calls need besides libc and the loader.</param>
    public async Task<GdbTranscript> RunAsync(int pid, IReadOnlyList<GdbCall> calls, TimeSpan timeout, IReadOnlyList<string>? libraries = null)
    {
        var gdb = Interlocked.Exchange(ref _prestarted, null) ?? PendingGdb.Start(gdbPath);
        await using (gdb.ConfigureAwait(false))
            return await gdb.RunAsync(pid, calls, timeout, libraries ?? []).ConfigureAwait(false);
    }
}
