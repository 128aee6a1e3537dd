using System.Buffers.Binary;
using Host.Linux;
using Host.Reading.Layouts;

namespace Host.Reading;

/// <summary>What a frame needs of its code object: names, first line, line table, where its bytecode is.</summary>
/// <param name="Bytecode">3.11+: the address of the inline bytecode; 0 before (f_lasti is an offset already).</param>
/// <param name="Units">The bytecode's length in code units (3.11+), to check an instruction pointer against.</param>
/// <param name="Fingerprint">What the code object's header pointed at when it was read (<see cref="RemoteCode.Fingerprint"/>): a later read that differs is another code object at the same address.</param>
internal sealed record RemoteCodeInfo(string File, string Function, int FirstLine, byte[] LineTable, ulong Bytecode, long Units, ulong Address, ulong Fingerprint = 0);

/// <summary>
/// Reads code objects from outside, each once: frames of one dump share most of their code. The
/// code objects of a whole dump are read together, a level at a time (the objects, then their
/// names and line tables), each level in one batch. A pointer whose type is not PyCode_Type is
/// not a code object, and is not read further.
/// </summary>
internal sealed class RemoteCode(ProcessMemory memory, ReadableInterpreter target)
{
    private const int MaxLineTable = 1 << 20;
    // Most line tables are shorter: those are read in the batch, longer ones alone.
    private const int LineTableGuess = 256;
    private readonly AddressMap<RemoteCodeInfo> _cache = new();
    private readonly AddressSet _read = new();
    private readonly InterpreterLayout _layout = target.Layout;

    /// <summary>The code object at <paramref name="address"/>, or null when it is not one or cannot be read.</summary>
    public RemoteCodeInfo? Read(ulong address)
    {
        if (!_read.Contains(address))
            ReadAll([address]);
        _cache.TryGet(address, out var code);
        return code;
    }

    /// <summary>How many bytes of a code object hold every field the reader takes from it.</summary>
    public static int HeaderSize(InterpreterLayout layout) =>
        (int)(Math.Max(Math.Max(Math.Max(layout.CodeFilename, layout.CodeName), Math.Max(layout.CodeQualname ?? 0, layout.CodeFirstLine)),
            Math.Max(layout.CodeLineTable, Math.Max(layout.ObjectType, layout.ObjectSize))) + 8);

    /// <summary>
    /// What a code object's header points at (its names, its line table) and its first line, in one
    /// number: while it is the same, so is everything read from the code object, since those objects
    /// live as long as the code does and are never changed.
    /// </summary>
    public static ulong Fingerprint(ReadOnlySpan<byte> header, InterpreterLayout layout)
    {
        var hash = Word(header, layout.CodeFilename);
        hash = (hash * 0x9E3779B97F4A7C15UL) ^ Word(header, layout.CodeQualname ?? layout.CodeName);
        hash = (hash * 0x9E3779B97F4A7C15UL) ^ Word(header, layout.CodeLineTable);
        hash = (hash * 0x9E3779B97F4A7C15UL) ^ (ulong)BinaryPrimitives.ReadInt32LittleEndian(header[(int)layout.CodeFirstLine..]);
        return (hash * 0x9E3779B97F4A7C15UL) ^ Word(header, layout.ObjectType);
    }

    /// <summary>Reads every code object of <paramref name="addresses"/> not read yet, together.</summary>
    public void ReadAll(IReadOnlyList<ulong> addresses)
    {
        var fresh = new List<ulong>();
        foreach (var address in addresses)
        {
            if (_read.Add(address) && RemotePointer.Valid(address) is not null)
                fresh.Add(address);
        }
        Load(fresh);
    }

    /// <summary>Reads the code objects at <paramref name="addresses"/> again, whatever was read there before (another code object may live there now).</summary>
    public void Reload(IReadOnlyList<ulong> addresses)
    {
        var plausible = new List<ulong>(addresses.Count);
        foreach (var address in addresses)
        {
            _read.Add(address);
            _cache.Set(address, null);
            if (RemotePointer.Valid(address) is not null)
                plausible.Add(address);
        }
        Load(plausible);
    }

    private void Load(List<ulong> fresh)
    {
        if (fresh.Count == 0)
            return;
        // One read of each code object's fixed part gives every field.
        var size = HeaderSize(_layout);
        var headers = new byte[fresh.Count * size];
        var whole = new bool[fresh.Count];
        memory.ReadEach(fresh.ToArray(), size, headers, whole);
        var codes = new List<int>();
        for (var i = 0; i < fresh.Count; i++)
        {
            if (whole[i] && Word(headers, i * size, _layout.ObjectType) == target.CodeType)
                codes.Add(i);
        }
        var texts = new ulong[2 * codes.Count];
        var tables = new ulong[codes.Count];
        for (var c = 0; c < codes.Count; c++)
        {
            var at = codes[c] * size;
            texts[2 * c] = Word(headers, at, _layout.CodeFilename);
            texts[2 * c + 1] = Word(headers, at, _layout.CodeQualname ?? _layout.CodeName);
            tables[c] = Word(headers, at, _layout.CodeLineTable);
        }
        var names = RemoteText.ReadAll(memory, texts, _layout);
        var lineTables = LineTables(tables);
        for (var c = 0; c < codes.Count; c++)
        {
            var header = headers.AsSpan(codes[c] * size, size);
            if (names[2 * c] is not { } file || names[2 * c + 1] is not { } name)
                continue;
            var address = fresh[codes[c]];
            var firstLine = BinaryPrimitives.ReadInt32LittleEndian(header[(int)_layout.CodeFirstLine..]);
            var units = BinaryPrimitives.ReadInt64LittleEndian(header[(int)_layout.ObjectSize..]);
            var bytecode = _layout.CodeBytecode is { } inline ? address + inline : 0;
            _cache.Set(address, new RemoteCodeInfo(file, name, firstLine, lineTables[c] ?? [], bytecode, units, address, Fingerprint(header, _layout)));
        }
    }

    /// <summary>The line tables (bytes objects), bounded: short ones in one batch, longer ones alone; null where one cannot be read.</summary>
    private byte[]?[] LineTables(ulong[] addresses)
    {
        var dataAt = (int)_layout.BytesData;
        var size = dataAt + LineTableGuess;
        var targets = RemotePointer.Plausible(addresses);
        var into = new byte[targets.Length * size];
        var whole = new bool[targets.Length];
        memory.ReadEach(targets, size, into, whole);
        var tables = new byte[]?[targets.Length];
        for (var i = 0; i < targets.Length; i++)
        {
            if (targets[i] == 0)
                continue;
            var length = whole[i] ? BinaryPrimitives.ReadInt64LittleEndian(into.AsSpan(i * size + (int)_layout.ObjectSize)) : -1;
            tables[i] = length is >= 0 and <= LineTableGuess ? into.AsSpan(i * size + dataAt, (int)length).ToArray() : LineTable(targets[i]);
        }
        return tables;
    }

    /// <summary>One bytes object's contents, bounded; null when it cannot be read.</summary>
    private byte[]? LineTable(ulong address)
    {
        Span<byte> size = stackalloc byte[8];
        if (!memory.TryRead(address + _layout.ObjectSize, size))
            return null;
        var length = BinaryPrimitives.ReadInt64LittleEndian(size);
        if (length is < 0 or > MaxLineTable)
            return null;
        var table = new byte[length];
        return memory.TryRead(address + _layout.BytesData, table) ? table : null;
    }

    private static ulong Word(ReadOnlySpan<byte> bytes, ulong offset) => BinaryPrimitives.ReadUInt64LittleEndian(bytes[(int)offset..]);

    /// <summary>The word at <paramref name="offset"/> of the record that starts at <paramref name="start"/>.</summary>
    private static ulong Word(byte[] bytes, int start, ulong offset) => BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(start + (int)offset));
}
