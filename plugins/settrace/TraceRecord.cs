using System.Buffers.Binary;

namespace Host.Plugins.Settrace;

/// <summary>
/// One record written by the agent's hooks (native/trace_buffers.h, struct record), read by the
/// layout of native/trace_vocabulary.def (TraceVocabulary.g.cs), which the agent is checked against.
/// TraceKind is generated from that file too.
/// </summary>
internal readonly record struct TraceRecord(ulong TimeNs, uint Code, uint Extra, uint Depth, ushort Thread, TraceKind Kind)
{
    public const int Size = TraceVocabulary.RecordSize;

    public static IEnumerable<TraceRecord> Decode(byte[] data)
    {
        for (var offset = 0; offset + Size <= data.Length; offset += Size)
            yield return Read(data.AsSpan(offset, Size));
    }

    private static TraceRecord Read(ReadOnlySpan<byte> bytes) => new(
        BinaryPrimitives.ReadUInt64LittleEndian(bytes[TraceVocabulary.TimeNsOffset..]),
        BinaryPrimitives.ReadUInt32LittleEndian(bytes[TraceVocabulary.CodeOffset..]),
        BinaryPrimitives.ReadUInt32LittleEndian(bytes[TraceVocabulary.ExtraOffset..]),
        BinaryPrimitives.ReadUInt32LittleEndian(bytes[TraceVocabulary.DepthOffset..]),
        BinaryPrimitives.ReadUInt16LittleEndian(bytes[TraceVocabulary.ThreadOffset..]),
        (TraceKind)bytes[TraceVocabulary.KindOffset]);
}
