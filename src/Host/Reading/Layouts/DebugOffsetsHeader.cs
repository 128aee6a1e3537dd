using System.Buffers.Binary;
using Host.Linux;

namespace Host.Reading.Layouts;

/// <summary>
/// The start of the <c>_Py_DebugOffsets</c> table that CPython 3.13+ keeps at the start of
/// _PyRuntime, for debuggers that read it from outside: a cookie, the interpreter's
/// PY_VERSION_HEX, and whether the build is free-threaded. The rest of the table (the offsets of
/// every structure the reader walks) depends on the minor version, so a reader checks this
/// header before it trusts anything else in it.
/// </summary>
/// <param name="VersionHex">PY_VERSION_HEX, e.g. 0x030E0AF0 for 3.14.10.</param>
internal sealed record DebugOffsetsHeader(uint VersionHex, bool FreeThreaded)
{
    public const int Size = 24;
    private static ReadOnlySpan<byte> Cookie => "xdebugpy"u8;

    public int Major => (int)(VersionHex >> 24);

    public int Minor => (int)((VersionHex >> 16) & 0xff);

    public int Micro => (int)((VersionHex >> 8) & 0xff);

    /// <summary>The header at <paramref name="runtime"/>, or null when there is none (before 3.13) or it is not plausible.</summary>
    public static DebugOffsetsHeader? Read(ProcessMemory memory, ulong runtime)
    {
        Span<byte> bytes = stackalloc byte[Size];
        if (!memory.TryRead(runtime, bytes))
            return null;
        return Parse(bytes);
    }

    public static DebugOffsetsHeader? Parse(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length < Size || !bytes[..8].SequenceEqual(Cookie))
            return null;
        var version = BinaryPrimitives.ReadUInt64LittleEndian(bytes[8..]);
        var freeThreaded = BinaryPrimitives.ReadUInt64LittleEndian(bytes[16..]);
        // 3.13 and later only; the flag is 0 or 1.
        if (version >> 32 != 0 || (version >> 24) != 3 || ((version >> 16) & 0xff) < 13 || freeThreaded > 1)
            return null;
        return new DebugOffsetsHeader((uint)version, freeThreaded == 1);
    }
}
