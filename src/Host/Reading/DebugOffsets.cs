using System.Buffers.Binary;
using Host.Linux;

namespace Host.Reading;

/// <summary>Where a thread state's fields are (byte offsets inside PyThreadState).</summary>
internal sealed record ThreadStateLayout(ulong Size, ulong Next, ulong CurrentFrame, ulong ThreadId, ulong NativeThreadId);

/// <summary>
/// The parts of a target's <c>_Py_DebugOffsets</c> (3.13+) that the reader from outside uses,
/// read from the target itself. The table's entries are the interpreter's own offsetof()
/// values; where each section starts in the table changes between minor versions, so the
/// positions below come from each version's Include/internal header, and a version not listed
/// is refused rather than guessed.
/// </summary>
internal sealed record DebugOffsets(
    DebugOffsetsHeader Header,
    ulong InterpretersHead,
    ulong InterpreterSize,
    ulong InterpreterNext,
    ulong InterpreterThreadsHead,
    ThreadStateLayout Thread)
{
    private const int TableBytes = 1024;

    /// <summary>
    /// Per minor version: the index (in 8-byte entries, from the table's start) of the
    /// interpreter_state and thread_state sections, and of thread_id and native_thread_id inside
    /// thread_state. 3.13: 13 interpreter entries; 3.14 added threads_main, code_object_generation
    /// and tlbc_generation; 3.15 put base_frame and two profiling entries before thread_id.
    /// </summary>
    private static readonly Dictionary<int, (int Interpreter, int Thread, int ThreadId, int NativeThreadId)> Sections = new()
    {
        [13] = (6, 19, 5, 6),
        [14] = (6, 22, 5, 6),
        [15] = (6, 22, 8, 9),
    };

    /// <summary>The minor versions whose table this host knows, for messages.</summary>
    public static IEnumerable<string> KnownVersions => Sections.Keys.Order().Select(minor => "3." + minor);

    /// <summary>The offsets, or null when there is no table, its version is not known, or a value is not plausible.</summary>
    public static DebugOffsets? Read(ProcessMemory memory, ulong runtime)
    {
        var table = new byte[TableBytes];
        if (!memory.TryRead(runtime, table) || DebugOffsetsHeader.Parse(table) is not { } header)
            return null;
        if (!Sections.TryGetValue(header.Minor, out var at))
            return null;
        ulong Entry(int index) => BinaryPrimitives.ReadUInt64LittleEndian(table.AsSpan(index * 8));
        // runtime_state (size, finalizing, interpreters_head) starts at entry 3 in every version.
        var runtimeSize = Entry(3);
        var interpretersHead = Entry(5);
        var interpreterSize = Entry(at.Interpreter);
        var thread = new ThreadStateLayout(
            Size: Entry(at.Thread),
            Next: Entry(at.Thread + 2),
            CurrentFrame: Entry(at.Thread + 4),
            ThreadId: Entry(at.Thread + at.ThreadId),
            NativeThreadId: Entry(at.Thread + at.NativeThreadId));
        var offsets = new DebugOffsets(header, interpretersHead, interpreterSize, Entry(at.Interpreter + 2), Entry(at.Interpreter + 3), thread);
        var plausible = runtimeSize is > 64 and < 1 << 24 && interpretersHead < runtimeSize
            && interpreterSize is > 64 and < 1 << 24 && offsets.InterpreterNext < interpreterSize && offsets.InterpreterThreadsHead < interpreterSize
            && thread.Size is > 64 and < 1 << 20
            && thread.Next < thread.Size && thread.CurrentFrame < thread.Size && thread.ThreadId < thread.Size && thread.NativeThreadId < thread.Size;
        return plausible ? offsets : null;
    }
}
