using System.Buffers.Binary;
using Host.Linux;

namespace Host.Reading;

/// <summary>Where a thread state's fields are (byte offsets inside PyThreadState).</summary>
internal sealed record ThreadStateLayout(ulong Size, ulong Next, ulong CurrentFrame, ulong ThreadId, ulong NativeThreadId);

/// <summary>Where the fields the stack walk reads are: in _PyInterpreterFrame, PyCodeObject, PyObject and str objects.</summary>
internal sealed record FrameLayout(
    ulong FrameSize, ulong FramePrevious, ulong FrameExecutable, ulong FrameOwner,
    ulong CodeFilename, ulong CodeName, ulong CodeQualname, ulong CodeFirstLine,
    ulong ObjectType, ulong UnicodeState, ulong UnicodeLength, ulong AsciiObjectSize)
{
    /// <summary>
    /// Where the str state word's kind bits start: bit 2, after the 2-bit "interned"; on a
    /// free-threaded build "interned" is a whole byte (it is accessed atomically), so bit 8.
    /// "compact" and "ascii" follow the 3 kind bits.
    /// </summary>
    public int UnicodeKindShift { get; init; } = 2;
}

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
    ThreadStateLayout Thread,
    FrameLayout Frames)
{
    private const int TableBytes = 1024;

    /// <summary>
    /// Per minor version: the index (in 8-byte entries, from the table's start) of the
    /// interpreter_state and thread_state sections, and of thread_id and native_thread_id inside
    /// thread_state. 3.13: 13 interpreter entries; 3.14 added threads_main, code_object_generation
    /// and tlbc_generation; 3.15 put base_frame and two profiling entries before thread_id.
    /// </summary>
    private static readonly Dictionary<int, (int Interpreter, int Thread, int ThreadId, int NativeThreadId, int Frame, int Code, int Object, int Unicode)> Sections = new()
    {
        [13] = (6, 19, 5, 6, 28, 34, 44, 67),
        [14] = (6, 22, 5, 6, 31, 39, 50, 77),
        [15] = (6, 22, 8, 9, 39, 47, 58, 89),
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
        // frame: size, previous, executable, instr_ptr, localsplus, owner; code: size, filename,
        // name, qualname, linetable, firstlineno; object: size, ob_type; str: size, state, length, asciiobject_size.
        var frames = new FrameLayout(
            Entry(at.Frame), Entry(at.Frame + 1), Entry(at.Frame + 2), Entry(at.Frame + 5),
            Entry(at.Code + 1), Entry(at.Code + 2), Entry(at.Code + 3), Entry(at.Code + 5),
            Entry(at.Object + 1), Entry(at.Unicode + 1), Entry(at.Unicode + 2), Entry(at.Unicode + 3))
        {
            UnicodeKindShift = header.FreeThreaded ? 8 : 2,
        };
        var offsets = new DebugOffsets(header, interpretersHead, interpreterSize, Entry(at.Interpreter + 2), Entry(at.Interpreter + 3), thread, frames);
        var plausible = runtimeSize is > 64 and < 1 << 24 && interpretersHead < runtimeSize
            && interpreterSize is > 64 and < 1 << 24 && offsets.InterpreterNext < interpreterSize && offsets.InterpreterThreadsHead < interpreterSize
            && thread.Size is > 64 and < 1 << 20
            && thread.Next < thread.Size && thread.CurrentFrame < thread.Size && thread.ThreadId < thread.Size && thread.NativeThreadId < thread.Size
            && frames.FrameSize is >= 32 and < 4096 && frames.FramePrevious < frames.FrameSize && frames.FrameExecutable < frames.FrameSize && frames.FrameOwner < frames.FrameSize
            && new[] { frames.CodeFilename, frames.CodeName, frames.CodeQualname, frames.CodeFirstLine }.All(o => o < 4096)
            && frames.ObjectType < 64 && frames.UnicodeState < 128 && frames.UnicodeLength < 128 && frames.AsciiObjectSize is >= 16 and < 256;
        return plausible ? offsets : null;
    }
}
