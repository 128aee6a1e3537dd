using System.Buffers.Binary;
using Host.Linux;
using Host.Reading.Layouts;

namespace Host.Reading;

/// <summary>What a frame needs of its code object: names, first line, line table, where its bytecode is.</summary>
/// <param name="Bytecode">3.11+: the address of the inline bytecode; 0 before (f_lasti is an offset already).</param>
/// <param name="Units">The bytecode's length in code units (3.11+), to check an instruction pointer against.</param>
internal sealed record RemoteCodeInfo(string File, string Function, int FirstLine, byte[] LineTable, ulong Bytecode, long Units, ulong Address);

/// <summary>
/// Reads code objects from outside, each once: frames of one dump share most of their code.
/// A pointer whose type is not PyCode_Type is not a code object, and is not read further.
/// </summary>
internal sealed class RemoteCode(ProcessMemory memory, ReadableInterpreter target)
{
    private const int MaxLineTable = 1 << 20;
    private readonly AddressMap<RemoteCodeInfo> _cache = new();
    private readonly InterpreterLayout _layout = target.Layout;

    public RemoteCodeInfo? Read(ulong address)
    {
        if (!_cache.TryGet(address, out var code))
            _cache.Set(address, code = ReadUncached(address));
        return code;
    }

    private RemoteCodeInfo? ReadUncached(ulong address)
    {
        if (RemotePointer.Valid(address) is null)
            return null;
        // One read of the code object's fixed part gives every field.
        var end = Math.Max(Math.Max(Math.Max(_layout.CodeFilename, _layout.CodeName), Math.Max(_layout.CodeQualname ?? 0, _layout.CodeFirstLine)),
            Math.Max(_layout.CodeLineTable, Math.Max(_layout.ObjectType, _layout.ObjectSize))) + 8;
        var bytes = new byte[end];
        if (!memory.TryRead(address, bytes) || Word(bytes, _layout.ObjectType) != target.CodeType)
            return null;
        var file = RemoteText.Read(memory, Word(bytes, _layout.CodeFilename), _layout);
        var name = RemoteText.Read(memory, Word(bytes, _layout.CodeQualname ?? _layout.CodeName), _layout);
        if (file is null || name is null)
            return null;
        var firstLine = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan((int)_layout.CodeFirstLine));
        var units = BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan((int)_layout.ObjectSize));
        var bytecode = _layout.CodeBytecode is { } inline ? address + inline : 0;
        return new RemoteCodeInfo(file, name, firstLine, LineTableBytes(Word(bytes, _layout.CodeLineTable)) ?? [], bytecode, units, address);
    }

    /// <summary>The bytes object's contents, bounded; null when it cannot be read.</summary>
    private byte[]? LineTableBytes(ulong address)
    {
        if (RemotePointer.Valid(address) is null)
            return null;
        Span<byte> size = stackalloc byte[8];
        if (!memory.TryRead(address + _layout.ObjectSize, size))
            return null;
        var length = BinaryPrimitives.ReadInt64LittleEndian(size);
        if (length is < 0 or > MaxLineTable)
            return null;
        var table = new byte[length];
        return memory.TryRead(address + _layout.BytesData, table) ? table : null;
    }

    private static ulong Word(byte[] bytes, ulong offset) => BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan((int)offset));
}
