using System.Buffers.Binary;
using System.Text;
using Microsoft.Win32.SafeHandles;

namespace Host.Linux;

/// <summary>
/// Reads an ELF64 file (little-endian) just far enough to find a symbol: the value of a named
/// symbol in .dynsym (or .symtab), or the address of a named section (a name that starts with a
/// dot: ".PyRuntime", where CPython 3.12+ place _PyRuntime for tools like this one), and the link-time address of the first loadable segment (which,
/// against where the file is mapped, gives the load bias). Only the headers and the symbol and
/// string tables are read. Every offset read from the file is checked against its size: a damaged
/// or hostile file gives null, never an exception.
/// </summary>
internal static class ElfSymbols
{
    private const uint SymbolTable = 2, DynamicSymbols = 11, LoadSegment = 1;
    private const long MaxTable = 64L << 20;

    /// <summary>
    /// The values of those of <paramref name="names"/> the file defines (.dynsym first, then .symtab,
    /// which also has local symbols), read in one pass over each table, with the first PT_LOAD's
    /// page-aligned address; null when the file is not a readable ELF64. Values[i] is names[i]'s, 0 where it is not defined.
    /// </summary>
    /// <param name="localSymbols">Also search .symtab, where a static variable's symbol is: it is far bigger than .dynsym, so only when needed.</param>
    public static ElfLookup? FindAll(string path, IReadOnlyList<string> names, bool localSymbols = true)
    {
        try
        {
            using var file = File.OpenHandle(path);
            return FindAll(file, RandomAccess.GetLength(file), names, localSymbols);
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static ElfLookup? FindAll(SafeFileHandle file, long length, IReadOnlyList<string> names, bool localSymbols)
    {
        var header = Read(file, length, 0, 64);
        if (header is null || !header.AsSpan(0, 4).SequenceEqual("\u007fELF"u8) || header[4] != 2 || header[5] != 1)
            return null;
        var programHeaders = (long)BinaryPrimitives.ReadUInt64LittleEndian(header.AsSpan(32));
        var sectionHeaders = (long)BinaryPrimitives.ReadUInt64LittleEndian(header.AsSpan(40));
        int programCount = BinaryPrimitives.ReadUInt16LittleEndian(header.AsSpan(56)), sectionCount = BinaryPrimitives.ReadUInt16LittleEndian(header.AsSpan(60));
        var programs = Read(file, length, programHeaders, programCount * 56L);
        var sections = Read(file, length, sectionHeaders, sectionCount * 64L);
        if (programs is null || sections is null)
            return null;
        ulong? firstLoad = null;
        for (var i = 0; i < programCount && firstLoad is null; i++)
        {
            if (BinaryPrimitives.ReadUInt32LittleEndian(programs.AsSpan(i * 56)) == LoadSegment)
                firstLoad = BinaryPrimitives.ReadUInt64LittleEndian(programs.AsSpan(i * 56 + 16)) & ~0xfffUL;
        }
        if (firstLoad is null)
            return null;
        var wantedNames = new List<byte[]>(names.Count);
        foreach (var name in names)
            wantedNames.Add(Encoding.ASCII.GetBytes(name));
        var values = new ulong[names.Count];
        var found = SectionAddresses(file, length, header, sections, sectionCount, wantedNames, values);
        foreach (var wanted in localSymbols ? [DynamicSymbols, SymbolTable] : new[] { DynamicSymbols })
        {
            for (var i = 0; i < sectionCount && found < names.Count; i++)
            {
                var section = sections.AsSpan(i * 64, 64);
                var link = BinaryPrimitives.ReadUInt32LittleEndian(section[40..]);
                if (BinaryPrimitives.ReadUInt32LittleEndian(section[4..]) != wanted || link >= sectionCount)
                    continue;
                var symbols = Contents(file, length, section);
                var strings = Contents(file, length, sections.AsSpan((int)link * 64, 64));
                if (symbols is not null && strings is not null)
                    found += Lookup(symbols, strings, wantedNames, values);
            }
        }
        return new ElfLookup(values, firstLoad.Value);
    }

    /// <summary>The link-time addresses of the wanted names that name a section (".PyRuntime"): how many it filled.</summary>
    private static int SectionAddresses(SafeFileHandle file, long length, byte[] header, byte[] sections, int sectionCount, List<byte[]> wanted, ulong[] values)
    {
        if (!wanted.Exists(name => name is [(byte)'.', ..]))
            return 0;
        int namesAt = BinaryPrimitives.ReadUInt16LittleEndian(header.AsSpan(62));
        if (namesAt >= sectionCount || Contents(file, length, sections.AsSpan(namesAt * 64, 64)) is not { } sectionNames)
            return 0;
        var filled = 0;
        for (var i = 0; i < sectionCount; i++)
        {
            var section = sections.AsSpan(i * 64, 64);
            var nameAt = BinaryPrimitives.ReadUInt32LittleEndian(section);
            var address = BinaryPrimitives.ReadUInt64LittleEndian(section[16..]);
            if (nameAt >= (uint)sectionNames.Length || address == 0)
                continue;
            var rest = sectionNames.AsSpan((int)nameAt);
            for (var w = 0; w < wanted.Count; w++)
            {
                var name = wanted[w];
                if (values[w] == 0 && name is [(byte)'.', ..] && rest.Length > name.Length && rest[name.Length] == 0 && rest.StartsWith(name))
                {
                    values[w] = address;
                    filled++;
                }
            }
        }
        return filled;
    }

    private static byte[]? Contents(SafeFileHandle file, long length, ReadOnlySpan<byte> section) =>
        Read(file, length, (long)BinaryPrimitives.ReadUInt64LittleEndian(section[24..]), (long)BinaryPrimitives.ReadUInt64LittleEndian(section[32..]));

    private static byte[]? Read(SafeFileHandle file, long length, long offset, long size)
    {
        if (offset < 0 || size < 0 || size > MaxTable || offset > length || size > length - offset)
            return null;
        var buffer = new byte[size];
        return RandomAccess.Read(file, buffer, offset) == size ? buffer : null;
    }

    /// <summary>Fills the values still 0 of the wanted names this table defines; how many it filled.</summary>
    private static int Lookup(byte[] symbols, byte[] strings, List<byte[]> wanted, ulong[] values)
    {
        var filled = 0;
        for (var at = 0; at + 24 <= symbols.Length; at += 24)
        {
            var value = BinaryPrimitives.ReadUInt64LittleEndian(symbols.AsSpan(at + 8));
            var nameAt = BinaryPrimitives.ReadUInt32LittleEndian(symbols.AsSpan(at));
            if (value == 0 || BinaryPrimitives.ReadUInt16LittleEndian(symbols.AsSpan(at + 6)) == 0 || nameAt >= (uint)strings.Length)
                continue;
            var rest = strings.AsSpan((int)nameAt);
            for (var w = 0; w < wanted.Count; w++)
            {
                var name = wanted[w];
                if (values[w] == 0 && rest.Length > name.Length && rest[name.Length] == 0 && rest.StartsWith(name))
                {
                    values[w] = value;
                    filled++;
                }
            }
        }
        return filled;
    }
}

/// <summary>Symbols looked up in an ELF file: each one's value (0 where the file does not define it), and the first PT_LOAD's page-aligned address.</summary>
/// <remarks>A class, not a tuple: the framework's generics over value types are compiled at run time on every run.</remarks>
internal sealed record ElfLookup(ulong[] Values, ulong FirstLoad);
