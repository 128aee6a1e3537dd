using System.Buffers.Binary;

namespace Host.Plugins.Settrace;

/// <summary>What happened, as the agent's hooks record it.</summary>
internal enum TraceKind : byte
{
    Call = 1,
    Return = 2,
    Exception = 3,
    /// <summary>The frame ended because an exception left it.</summary>
    Unwind = 4,
}

/// <summary>One 24-byte record written by the agent's hooks (native/calltrace.c, struct record).</summary>
internal readonly record struct TraceRecord(ulong TimeNs, uint Code, uint Extra, uint Depth, ushort Thread, TraceKind Kind)
{
    public const int Size = 24;

    public static IEnumerable<TraceRecord> Decode(byte[] data)
    {
        for (var offset = 0; offset + Size <= data.Length; offset += Size)
            yield return Read(data.AsSpan(offset, Size));
    }

    private static TraceRecord Read(ReadOnlySpan<byte> bytes) => new(
        BinaryPrimitives.ReadUInt64LittleEndian(bytes),
        BinaryPrimitives.ReadUInt32LittleEndian(bytes[8..]),
        BinaryPrimitives.ReadUInt32LittleEndian(bytes[12..]),
        BinaryPrimitives.ReadUInt32LittleEndian(bytes[16..]),
        BinaryPrimitives.ReadUInt16LittleEndian(bytes[20..]),
        (TraceKind)bytes[22]);
}
