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
    public static ulong? Address(int pid, string file, string symbol) => Addresses(pid, file, [symbol]).Find(symbol);

    /// <summary>The addresses in the process of those symbols the file defines, looked up in one pass; none when the file is not mapped.</summary>
    /// <param name="localSymbols">Also search .symtab (static variables), which is much bigger than .dynsym.</param>
    public static FoundSymbols Addresses(int pid, string file, IReadOnlyList<string> symbols, bool localSymbols = true)
    {
        var addresses = new ulong[symbols.Count];
        if (ProcFs.MappingOf(pid, file) is { } mapped
            && (ElfSymbols.FindAll($"/proc/{pid}/map_files/{mapped.Start:x}-{mapped.End:x}", symbols, localSymbols)
                ?? ElfSymbols.FindAll($"/proc/{pid}/root{file}", symbols, localSymbols)) is { } located)
        {
            for (var i = 0; i < symbols.Count; i++)
                addresses[i] = located.Values[i] == 0 ? 0 : mapped.Start - located.FirstLoad + located.Values[i];
        }
        return new FoundSymbols(symbols, addresses);
    }
}

/// <summary>Symbols looked up together: each one's address in the process, where the file defines it.</summary>
internal sealed class FoundSymbols(IReadOnlyList<string> names, ulong[] addresses)
{
    public ulong? Find(string name)
    {
        for (var i = 0; i < names.Count; i++)
        {
            if (names[i] == name)
                return addresses[i] == 0 ? null : addresses[i];
        }
        return null;
    }

    public bool TryGet(string name, out ulong address)
    {
        address = Find(name) ?? 0;
        return address != 0;
    }
}
