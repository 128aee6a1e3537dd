namespace Host.Linux;

/// <summary>
/// Where a symbol of a file mapped into a process is, in that process: the file's symbol tables
/// (read through /proc/PID/map_files, so a target under another root or mount namespace gives
/// its own file, and the very file mapped even if it was replaced on disk since) plus where the
/// file's first page is mapped.
/// </summary>
internal static class MappedSymbols
{
    /// <summary>The symbol's address in the process, or null when the file is not mapped or has no such symbol.</summary>
    /// <param name="file">The file's path as /proc/PID/maps names it.</param>
    public static ulong? Address(int pid, string file, string symbol) =>
        Addresses(pid, file, [symbol]).TryGetValue(symbol, out var address) ? address : null;

    /// <summary>The addresses in the process of those symbols the file defines, looked up in one pass; empty when the file is not mapped.</summary>
    public static Dictionary<string, ulong> Addresses(int pid, string file, IReadOnlyList<string> symbols)
    {
        var addresses = new Dictionary<string, ulong>();
        if (ProcFs.MappingOf(pid, file) is not { } mapped)
            return addresses;
        var found = ElfSymbols.FindAll($"/proc/{pid}/map_files/{mapped.Start:x}-{mapped.End:x}", symbols)
            ?? ElfSymbols.FindAll($"/proc/{pid}/root{file}", symbols);
        if (found is not { } located)
            return addresses;
        foreach (var (name, value) in located.Values)
            addresses[name] = mapped.Start - located.FirstLoad + value;
        return addresses;
    }
}
