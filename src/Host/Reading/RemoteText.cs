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

    // Most names and paths are shorter: those are read in the batch, longer ones alone.
    private const int BatchChars = 120;

    /// <summary>
    /// The strs at <paramref name="addresses"/>, as <see cref="Read(ProcessMemory, ulong, InterpreterLayout)"/>
    /// reads each, read together: one batch for every short ASCII one, then the others alone.
    /// </summary>
    public static string?[] ReadAll(ProcessMemory memory, ulong[] addresses, InterpreterLayout layout)
    {
        var text = layout.Text;
        var dataAt = (int)(text.ByteStrings ? layout.BytesData : text.AsciiSize);
        var lengthAt = (int)(text.ByteStrings ? layout.ObjectSize : text.Length);
        var size = dataAt + BatchChars;
        var targets = RemotePointer.Plausible(addresses);
        var into = new byte[targets.Length * size];
        var whole = new bool[targets.Length];
        memory.ReadEach(targets, size, into, whole);
        var texts = new string?[targets.Length];
        for (var i = 0; i < targets.Length; i++)
        {
            if (targets[i] == 0)
                continue;
            var bytes = into.AsSpan(i * size, size);
            var length = whole[i] ? BinaryPrimitives.ReadInt64LittleEndian(bytes[lengthAt..]) : -1;
            var plain = length is >= 0 and <= BatchChars && (text.ByteStrings || IsCompactAscii(bytes, text));
            texts[i] = plain
                ? (text.ByteStrings ? Encoding.UTF8 : Encoding.Latin1).GetString(bytes.Slice(dataAt, (int)length))
                : Read(memory, targets[i], layout);
        }
        return texts;
    }

    private static bool IsCompactAscii(ReadOnlySpan<byte> header, TextLayout text)
    {
        var state = BinaryPrimitives.ReadUInt32LittleEndian(header[(int)text.State..]);
        var shift = text.KindShift;
        return ((state >> shift) & 7) == 1 && (state & (1u << (shift + 3))) != 0 && (state & (1u << (shift + 4))) != 0;
    }

    /// <summary>Whether the str at <paramref name="address"/> is <paramref name="text"/>; its characters are read only when the length matches.</summary>
    public static bool Is(ProcessMemory memory, ulong address, InterpreterLayout layout, string text)
    {
        Span<byte> size = stackalloc byte[8];
        var lengthAt = layout.Text.ByteStrings ? layout.ObjectSize : layout.Text.Length;
        if (RemotePointer.Valid(address) is null || !memory.TryRead(address + lengthAt, size) || BinaryPrimitives.ReadInt64LittleEndian(size) != text.Length)
            return false;
        return Read(memory, address, layout, text.Length, out _) == text;
    }

    /// <summary>
    /// For each of <paramref name="texts"/>, which of the strs at <paramref name="addresses"/> it is:
    /// the first one's index, or -1. Each str is read only as far as the longest text would reach,
    /// all in one batch: a dict's keys are found by comparing them all, the target's hashes being salted.
    /// </summary>
    public static int[] IndexOfEach(ProcessMemory memory, ReadOnlySpan<ulong> addresses, InterpreterLayout layout, string[] texts)
    {
        var found = new int[texts.Length];
        for (var t = 0; t < found.Length; t++)
            found[t] = -1; // not Array.Fill: a generic over int, compiled at run time on every run
        var text = layout.Text;
        var dataAt = (int)(text.ByteStrings ? layout.BytesData : text.AsciiSize);
        var lengthAt = (int)(text.ByteStrings ? layout.ObjectSize : text.Length);
        var longest = 0;
        foreach (var wanted in texts)
            longest = Math.Max(longest, wanted.Length);
        var size = dataAt + longest;
        var wanted8 = new byte[texts.Length][];
        for (var t = 0; t < texts.Length; t++)
            wanted8[t] = System.Text.Encoding.UTF8.GetBytes(texts[t]);
        var targets = RemotePointer.Plausible(addresses);
        var into = new byte[targets.Length * size];
        var whole = new bool[targets.Length];
        memory.ReadEach(targets, size, into, whole);
        for (var i = 0; i < targets.Length; i++)
        {
            for (var t = 0; t < texts.Length; t++)
            {
                if (found[t] >= 0 || targets[i] == 0)
                    continue;
                // A str read short (too near the end of a mapping), or not plain ASCII, is read by its length.
                var plain = whole[i] && System.Text.Ascii.IsValid(texts[t]);
                if (plain ? Matches(into.AsSpan(i * size, size), text, lengthAt, dataAt, wanted8[t]) : Is(memory, targets[i], layout, texts[t]))
                    found[t] = i;
            }
        }
        return found;
    }

    private static bool Matches(ReadOnlySpan<byte> bytes, TextLayout text, int lengthAt, int dataAt, byte[] wanted)
    {
        if (BinaryPrimitives.ReadInt64LittleEndian(bytes[lengthAt..]) != wanted.Length || !bytes.Slice(dataAt, wanted.Length).SequenceEqual(wanted))
            return false;
        // Only a compact ASCII str can equal an ASCII text.
        return text.ByteStrings || IsCompactAscii(bytes, text);
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
