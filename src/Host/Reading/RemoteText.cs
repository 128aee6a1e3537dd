using System.Buffers.Binary;
using System.Text;
using Host.Linux;

namespace Host.Reading;

/// <summary>
/// Reads a str object of the target (3.12+ layout: compact strings, the kind in 3 bits of the
/// state word, then "compact", then "ascii"; see <see cref="FrameLayout.UnicodeKindShift"/>),
/// bounded in length, from outside.
/// </summary>
internal static class RemoteText
{
    private const int MaxChars = 4096;
    // PyCompactUnicodeObject adds utf8_length and utf8 after PyASCIIObject.
    private const int CompactExtra = 16;

    public static string? Read(ProcessMemory memory, ulong address, FrameLayout layout)
    {
        if (RemotePointer.Valid(address) is null)
            return null;
        Span<byte> header = stackalloc byte[(int)layout.AsciiObjectSize];
        if (!memory.TryRead(address, header))
            return null;
        var length = BinaryPrimitives.ReadInt64LittleEndian(header[(int)layout.UnicodeLength..]);
        var state = BinaryPrimitives.ReadUInt32LittleEndian(header[(int)layout.UnicodeState..]);
        var shift = layout.UnicodeKindShift;
        var kind = (int)((state >> shift) & 7);
        bool compact = (state & (1u << (shift + 3))) != 0, ascii = (state & (1u << (shift + 4))) != 0;
        if (length is < 0 or > MaxChars || !compact || kind is not (1 or 2 or 4))
            return null;
        var data = address + layout.AsciiObjectSize + (ascii ? 0UL : CompactExtra);
        var bytes = new byte[length * kind];
        if (!memory.TryRead(data, bytes))
            return null;
        return kind switch
        {
            1 => Encoding.Latin1.GetString(bytes),
            2 => Encoding.Unicode.GetString(bytes),
            _ => Encoding.UTF32.GetString(bytes),
        };
    }
}
