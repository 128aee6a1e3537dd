using System.Buffers.Binary;
using Host.Linux;

namespace Host.Reading.Layouts;

/// <summary>
/// A 3.13+ target's own <c>_Py_DebugOffsets</c>, the table at the start of _PyRuntime that
/// CPython fills with its offsetof() values for debuggers, turned into the reader's layout. Where
/// each section starts in the table changes between minor versions, so the positions come from
/// each version's Include/internal/pycore_debug_offsets.h; a version not listed is refused rather
/// than guessed, and every offset read is checked for plausibility before it is used.
/// </summary>
internal static class DebugOffsets
{
    private const int TableBytes = 1024;

    /// <summary>Positions, in 8-byte entries from the table's start, of each section and of the entries that moved inside one.</summary>
    private sealed record Sections(
        int Interpreter, int GilStruct, int GilLocked, int GilHolder,
        int Thread, int ThreadId, int NativeThreadId,
        int Frame, int Code, int Object, int Type, int Tuple, int List, int Float, int Long, int Bytes, int Unicode);

    // 3.13: 13 interpreter entries. 3.14 added threads_main (moving the GIL's), code_object_generation
    // and tlbc_generation, frame stackpointer and tlbc_index, code co_tlbc and a set section.
    // 3.15 put base_frame and two profiling entries before thread_id and grew type and unicode.
    private static Sections? For(int minor) => minor switch
    {
        13 => new(6, 9, 11, 12, 19, 5, 6, 28, 34, 44, 46, 50, 53, 59, 61, 64, 67),
        14 => new(6, 10, 12, 13, 22, 5, 6, 31, 39, 50, 52, 56, 59, 69, 71, 74, 77),
        15 => new(6, 10, 12, 13, 22, 8, 9, 39, 47, 58, 60, 68, 71, 81, 83, 86, 89),
        _ => null,
    };

    /// <summary>Whether this host knows where the sections of 3.<paramref name="minor"/>'s table are.</summary>
    public static bool Knows(int minor) => For(minor) is not null;

    /// <summary>The minor versions whose table this host knows, for messages.</summary>
    public static IEnumerable<string> KnownVersions => [.. Enumerable.Range(13, 3).Select(minor => "3." + minor)];

    /// <summary>The layout, or null when there is no table, its version is not known, or a value is not plausible.</summary>
    public static InterpreterLayout? Read(ProcessMemory memory, ulong runtime) =>
        ReadHeader(memory, runtime, out var table) is { } header ? FromTable(header, table) : null;

    /// <summary>The table's header, with the whole table, or null when there is none.</summary>
    public static DebugOffsetsHeader? ReadHeader(ProcessMemory memory, ulong runtime, out byte[] table)
    {
        table = new byte[TableBytes];
        return memory.TryRead(runtime, table) ? DebugOffsetsHeader.Parse(table) : null;
    }

    public static InterpreterLayout? FromTable(DebugOffsetsHeader header, byte[] table)
    {
        if (For(header.Minor) is not { } at)
            return null;
        ulong Entry(int index) => BinaryPrimitives.ReadUInt64LittleEndian(table.AsSpan(index * 8));
        var layout = new InterpreterLayout
        {
            Major = header.Major,
            Minor = header.Minor,
            FreeThreaded = header.FreeThreaded,
            // runtime_state (size, finalizing, interpreters_head) starts at entry 3 in every version.
            InterpretersHead = Entry(5),
            InterpreterNext = Entry(at.Interpreter + 2),
            InterpreterThreadsHead = Entry(at.Interpreter + 3),
            InterpreterModules = Entry(at.Interpreter + (header.Minor == 13 ? 5 : 6)),
            ThreadSize = Entry(at.Thread),
            ThreadNext = Entry(at.Thread + 2),
            ThreadId = Entry(at.Thread + at.ThreadId),
            NativeThreadId = Entry(at.Thread + at.NativeThreadId),
            Chain = FrameChain.Direct,
            ThreadFrame = Entry(at.Thread + 4),
            FrameSize = Entry(at.Frame),
            FramePrevious = Entry(at.Frame + 1),
            FrameCode = Entry(at.Frame + 2),
            FrameInstruction = Entry(at.Frame + 3),
            FrameLocals = Entry(at.Frame + 4),
            FrameOwner = Entry(at.Frame + 5),
            FrameBytecodeIndex = header.Minor >= 14 && header.FreeThreaded ? Entry(at.Frame + 7) : null,
            TaggedCode = header.Minor >= 14,
            CodeFilename = Entry(at.Code + 1),
            CodeName = Entry(at.Code + 2),
            CodeQualname = Entry(at.Code + 3),
            CodeLineTable = Entry(at.Code + 4),
            CodeFirstLine = Entry(at.Code + 5),
            LineTable = LineTableFormat.Locations,
            CodeLocalNames = Entry(at.Code + 7),
            CodeBytecode = Entry(at.Code + 9),
            CodeThreadBytecode = header.Minor >= 14 && header.FreeThreaded ? Entry(at.Code + 10) : null,
            ObjectType = Entry(at.Object + 1),
            ObjectSize = Entry(at.Tuple + 2),
            TypeName = Entry(at.Type + 1),
            TypeFlags = Entry(at.Type + 3),
            TupleItems = Entry(at.Tuple + 1),
            ListItems = Entry(at.List + 1),
            FloatValue = Entry(at.Float + 1),
            LongTag = Entry(at.Long + 1),
            LongDigits = Entry(at.Long + 2),
            BytesData = Entry(at.Bytes + 2),
            // A free-threaded build's str state has "interned" as a whole byte (it is accessed atomically), so the kind starts at bit 8.
            Text = new TextLayout(false, Entry(at.Unicode + 2), Entry(at.Unicode + 1), header.FreeThreaded ? 8 : 2, Entry(at.Unicode + 3), Entry(at.Unicode + 3) + 16),
            Gil = header.FreeThreaded
                ? new GilLayout(GilRecord.None)
                : new GilLayout(GilRecord.InterpreterGil,
                    Holder: Entry(at.Interpreter + at.GilHolder) - Entry(at.Interpreter + at.GilStruct),
                    Locked: Entry(at.Interpreter + at.GilLocked) - Entry(at.Interpreter + at.GilStruct),
                    Struct: Entry(at.Interpreter + at.GilStruct), StructSize: 256),
        };
        return Plausible(layout, runtimeSize: Entry(3), interpreterSize: Entry(at.Interpreter), codeSize: Entry(at.Code)) ? layout : null;
    }

    private static bool Plausible(InterpreterLayout layout, ulong runtimeSize, ulong interpreterSize, ulong codeSize)
    {
        static bool Within(ulong size, params ulong[] offsets)
        {
            foreach (var offset in offsets)
            {
                if (offset >= size)
                    return false;
            }
            return true;
        }
        return runtimeSize is > 64 and < 1 << 24 && layout.InterpretersHead < runtimeSize
            && interpreterSize is > 64 and < 1 << 24
            && Within(interpreterSize, layout.InterpreterNext, layout.InterpreterThreadsHead, layout.InterpreterModules, layout.Gil.Struct)
            && layout.ThreadSize is > 64 and < 1 << 20
            && Within(layout.ThreadSize, layout.ThreadNext, layout.ThreadFrame, layout.ThreadId, layout.NativeThreadId ?? 0)
            && layout.FrameSize is >= 32 and < 4096
            && Within(layout.FrameSize, layout.FramePrevious, layout.FrameCode, layout.FrameInstruction, layout.FrameOwner ?? 0, layout.FrameBytecodeIndex ?? 0)
            && codeSize is > 64 and < 4096
            && Within(codeSize, layout.CodeFilename, layout.CodeName, layout.CodeQualname ?? 0, layout.CodeFirstLine, layout.CodeLineTable, layout.CodeLocalNames, layout.CodeBytecode ?? 0, layout.CodeThreadBytecode ?? 0)
            && Within(64, layout.ObjectType, layout.ObjectSize, layout.TupleItems, layout.ListItems, layout.FloatValue, layout.LongTag ?? 0, layout.LongDigits, layout.BytesData)
            && layout.Text.State < 128 && layout.Text.Length < 128 && layout.Text.AsciiSize is >= 16 and < 256
            && layout.TypeName < 512 && layout.TypeFlags < 512 && layout.Gil.Holder < 256 && layout.Gil.Locked < 256;
    }
}
