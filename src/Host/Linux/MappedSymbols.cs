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
    public static ulong? Address(int pid, string file, string symbol)
    {
        if (ProcFs.MappingOf(pid, file) is not { } mapped)
            return null;
        var found = ElfSymbols.Find($"/proc/{pid}/map_files/{mapped.Start:x}-{mapped.End:x}", symbol)
            ?? ElfSymbols.Find($"/proc/{pid}/root{file}", symbol);
        if (found is not { } located)
            return null;
        return mapped.Start - located.FirstLoad + located.Value;
    }
}
