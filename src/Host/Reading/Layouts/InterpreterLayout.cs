namespace Host.Reading.Layouts;

/// <summary>How a thread state leads to its innermost frame, which changed twice.</summary>
internal enum FrameChain
{
    /// <summary>≤3.10: PyThreadState.frame, a PyFrameObject; f_lasti is the instruction.</summary>
    FrameObjects,

    /// <summary>3.11 and 3.12: PyThreadState.cframe → _PyCFrame.current_frame, a _PyInterpreterFrame.</summary>
    ThroughCFrame,

    /// <summary>3.13+: PyThreadState.current_frame, a _PyInterpreterFrame.</summary>
    Direct,
}

/// <summary>The format of a code object's line table (co_lnotab, then co_linetable).</summary>
internal enum LineTableFormat
{
    /// <summary>2.7: (address delta, line delta) byte pairs, both unsigned.</summary>
    LnotabUnsigned,

    /// <summary>3.6–3.9: the same pairs, the line delta signed.</summary>
    Lnotab,

    /// <summary>3.10: (address delta, signed line delta) pairs; a line delta of -128 means "no line".</summary>
    Python310,

    /// <summary>3.11+: the location table, entries of varints in code units.</summary>
    Locations,
}

/// <summary>Where the thread holding the GIL is recorded, which moved with almost every version.</summary>
internal enum GilRecord
{
    /// <summary>A free-threaded build, or a version where the reader cannot tell.</summary>
    None,

    /// <summary>2.7, 3.6: the exported _PyThreadState_Current holds the holder (NULL when none).</summary>
    CurrentThreadSymbol,

    /// <summary>3.7–3.11: _PyRuntime.gilstate.tstate_current; the GIL's struct is in _PyRuntime.ceval.</summary>
    RuntimeCurrentThread,

    /// <summary>3.12: PyInterpreterState.ceval.gil points at the GIL; its last_holder counts while locked.</summary>
    InterpreterGilPointer,

    /// <summary>3.13+: the interpreter's own _gil struct; its last_holder counts while locked.</summary>
    InterpreterGil,
}

/// <summary>
/// Where everything the reader from outside walks is, for one interpreter version and build: byte
/// offsets inside CPython's structs, from the target's own _Py_DebugOffsets (3.13+) or from the
/// table compiled from each older version's headers (tools/layouts). One shape for every
/// version, so the walks are written once.
/// </summary>
internal sealed record InterpreterLayout
{
    public required int Major { get; init; }
    public required int Minor { get; init; }
    public bool FreeThreaded { get; init; }

    /// <summary>The first interpreter's pointer, from the start address (_PyRuntime, or 2.7/3.6's interp_head itself).</summary>
    public required ulong InterpretersHead { get; init; }
    public required ulong InterpreterNext { get; init; }
    public required ulong InterpreterThreadsHead { get; init; }
    public required ulong InterpreterModules { get; init; }

    public required ulong ThreadSize { get; init; }
    public required ulong ThreadNext { get; init; }
    public required ulong ThreadId { get; init; }
    public ulong? NativeThreadId { get; init; }

    public required FrameChain Chain { get; init; }
    /// <summary>frame, cframe or current_frame in PyThreadState, as <see cref="Chain"/> says.</summary>
    public required ulong ThreadFrame { get; init; }
    /// <summary>_PyCFrame.current_frame (3.11, 3.12).</summary>
    public ulong CFrameCurrent { get; init; }

    public required ulong FrameSize { get; init; }
    public required ulong FramePrevious { get; init; }
    public required ulong FrameCode { get; init; }
    /// <summary>≤3.10: f_lasti (an int); 3.11+: prev_instr/instr_ptr (a pointer into the bytecode).</summary>
    public required ulong FrameInstruction { get; init; }
    /// <summary>_PyInterpreterFrame.owner (a byte), 3.11+.</summary>
    public ulong? FrameOwner { get; init; }
    /// <summary>Owners from this value up are the interpreter's own frames (3.12's C-stack shims, 3.14's interpreter frames).</summary>
    public byte FirstInternalOwner { get; init; } = 3;
    /// <summary>3.14+ free-threaded: which thread-local copy of the bytecode the frame runs.</summary>
    public ulong? FrameBytecodeIndex { get; init; }
    /// <summary>_PyInterpreterFrame.localsplus / PyFrameObject.f_localsplus.</summary>
    public required ulong FrameLocals { get; init; }
    /// <summary>3.14+ keeps the executable as a tagged reference whose low bits are flags.</summary>
    public bool TaggedCode { get; init; }

    public required ulong CodeFilename { get; init; }
    public required ulong CodeName { get; init; }
    public ulong? CodeQualname { get; init; }
    public required ulong CodeFirstLine { get; init; }
    public required ulong CodeLineTable { get; init; }
    public required LineTableFormat LineTable { get; init; }
    /// <summary>3.11+: where the bytecode starts inside the code object.</summary>
    public ulong? CodeBytecode { get; init; }
    /// <summary>3.14+ free-threaded: co_tlbc, the array of per-thread bytecode copies.</summary>
    public ulong? CodeThreadBytecode { get; init; }
    /// <summary>The local variables' names: co_varnames (≤3.10) or co_localsplusnames (3.11+), a tuple as long as the frame's fast locals.</summary>
    public required ulong CodeLocalNames { get; init; }

    public ulong ObjectType { get; init; } = 8;
    public ulong ObjectSize { get; init; } = 16;
    public ulong TypeName { get; init; } = 24;
    public ulong TypeFlags { get; init; } = 168;
    /// <summary>PyBytesObject.ob_sval (PyStringObject's on 2.7).</summary>
    public required ulong BytesData { get; init; }
    public ulong TupleItems { get; init; } = 24;
    public ulong ListItems { get; init; } = 24;
    public ulong FloatValue { get; init; } = 16;
    /// <summary>3.12+: PyLongObject.long_value.lv_tag; before, the digit count and sign are ob_size.</summary>
    public ulong? LongTag { get; init; }
    public ulong LongDigits { get; init; } = 24;

    public required TextLayout Text { get; init; }
    /// <summary>2.7: PyUnicodeObject.str, the pointer to its separate buffer of <see cref="LegacyUnicodeWidth"/>-byte characters.</summary>
    public ulong? LegacyUnicodeBuffer { get; init; }
    public int LegacyUnicodeWidth { get; init; }
    public required GilLayout Gil { get; init; }
}

/// <summary>
/// How str is stored. 3.x: PyASCIIObject's length and state word (kind in 3 bits at
/// <see cref="KindShift"/>, then "compact", then "ascii"), the characters right after the struct.
/// 2.7: code names are byte strings (PyStringObject), read through <see cref="InterpreterLayout.BytesData"/>.
/// </summary>
internal sealed record TextLayout(bool ByteStrings, ulong Length, ulong State, int KindShift, ulong AsciiSize, ulong CompactSize);

/// <param name="Record">Where the holder is recorded.</param>
/// <param name="Holder">The holder's offset: in _PyRuntime (3.7–3.11), or in the GIL struct (3.12+).</param>
/// <param name="Locked">The locked flag's offset in the GIL struct (3.12+).</param>
/// <param name="Struct">Where the GIL struct is: in _PyRuntime (3.7–3.11), or in the interpreter (3.12: a pointer there; 3.13+: the struct).</param>
/// <param name="StructSize">How far the struct reaches: a thread asleep on a futex inside it waits for the GIL.</param>
internal sealed record GilLayout(GilRecord Record, ulong Holder = 0, ulong Locked = 0, ulong Struct = 0, ulong StructSize = 0);
