using System.Buffers.Binary;
using System.Text;
using Host.Linux;
using Host.Reading.Layouts;

namespace Host.Reading;

/// <summary>
/// Reads a str object of the target from outside, bounded in length: 3.x's compact strings
/// (the kind in 3 bits of the state word, then "compact", then "ascii"), and 2.7's byte strings,
/// which are what its code objects name files and functions with.
/// </summary>
internal static class RemoteText
{
    private const int MaxChars = 4096;

    /// <summary>The whole string, or null when it cannot be read or is longer than the bound.</summary>
    public static string? Read(ProcessMemory memory, ulong address, InterpreterLayout layout) =>
        Read(memory, address, layout, MaxChars, out var truncated) is { } text && !truncated ? text : null;

    /// <summary>Whether the str at <paramref name="address"/> is <paramref name="text"/>; its characters are read only when the length matches.</summary>
    public static bool Is(ProcessMemory memory, ulong address, InterpreterLayout layout, string text)
    {
        Span<byte> size = stackalloc byte[8];
        var lengthAt = layout.Text.ByteStrings ? layout.ObjectSize : layout.Text.Length;
        if (RemotePointer.Valid(address) is null || !memory.TryRead(address + lengthAt, size) || BinaryPrimitives.ReadInt64LittleEndian(size) != text.Length)
            return false;
        return Read(memory, address, layout, text.Length, out _) == text;
    }

    /// <summary>The string's first <paramref name="limit"/> characters at most, or null when it cannot be read.</summary>
    public static string? Read(ProcessMemory memory, ulong address, InterpreterLayout layout, int limit, out bool truncated)
    {
        truncated = false;
        if (RemotePointer.Valid(address) is null)
            return null;
        return layout.Text.ByteStrings ? ReadBytes(memory, address, layout, limit, out truncated) : ReadUnicode(memory, address, layout.Text, limit, out truncated);
    }

    private static string? ReadBytes(ProcessMemory memory, ulong address, InterpreterLayout layout, int limit, out bool truncated)
    {
        truncated = false;
        Span<byte> size = stackalloc byte[8];
        if (!memory.TryRead(address + layout.ObjectSize, size))
            return null;
        var length = BinaryPrimitives.ReadInt64LittleEndian(size);
        if (length < 0)
            return null;
        truncated = length > limit;
        length = Math.Min(length, limit);
        var bytes = new byte[length];
        return memory.TryRead(address + layout.BytesData, bytes) ? Encoding.UTF8.GetString(bytes) : null;
    }

    private static string? ReadUnicode(ProcessMemory memory, ulong address, TextLayout text, int limit, out bool truncated)
    {
        truncated = false;
        Span<byte> header = stackalloc byte[(int)text.AsciiSize];
        if (!memory.TryRead(address, header))
            return null;
        var length = BinaryPrimitives.ReadInt64LittleEndian(header[(int)text.Length..]);
        var state = BinaryPrimitives.ReadUInt32LittleEndian(header[(int)text.State..]);
        var shift = text.KindShift;
        var kind = (int)((state >> shift) & 7);
        bool compact = (state & (1u << (shift + 3))) != 0, ascii = (state & (1u << (shift + 4))) != 0;
        if (length < 0 || !compact || kind is not (1 or 2 or 4))
            return null;
        truncated = length > limit;
        length = Math.Min(length, limit);
        var bytes = new byte[length * kind];
        if (!memory.TryRead(address + (ascii ? text.AsciiSize : text.CompactSize), bytes))
            return null;
        return kind switch
        {
            1 => Encoding.Latin1.GetString(bytes),
            2 => Encoding.Unicode.GetString(bytes),
            _ => Encoding.UTF32.GetString(bytes),
        };
    }
}
