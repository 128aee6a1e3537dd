using Host.Abstractions;
using Host.Linux;

namespace Host.Reading.Layouts;

/// <summary>
/// Finds a target's interpreter from outside: the symbols in the file the interpreter is in
/// (libpython, or the executable it is linked into), read through /proc/PID so a target under
/// another root gives its own file; then the 3.13+ target's own debug offsets, or this host's
/// table for 2.7 and 3.6–3.12.
/// </summary>
internal static class InterpreterFinder
{
    private const string RuntimeSection = ".PyRuntime", Runtime = "_PyRuntime", InterpHead = "interp_head", HeadFunction = "PyInterpreterState_Head",
        CodeTypeSymbol = "PyCode_Type", CurrentThreadSymbol = "_PyThreadState_Current";

    /// <summary>The objects and types a value (a local, a dict, threading's data) is recognised by: by address, so a subclass is never taken for its base.</summary>
    public static readonly string[] ValueSymbols =
    [
        "_Py_NoneStruct", "_Py_TrueStruct", "_Py_FalseStruct", "PyBool_Type", "PyLong_Type", "PyFloat_Type",
        "PyUnicode_Type", "PyBytes_Type", "PyTuple_Type", "PyList_Type", "PyDict_Type", "PySet_Type",
        "PyFrozenSet_Type", "PyCell_Type",
    ];

    /// <summary>What only 2.7 and 3.6 need: their interpreter list's static head (a local symbol), the holder of the GIL and where its waiters sleep (locals too), 2.7's int and str.</summary>
    private static readonly string[] LegacySymbols = [InterpHead, HeadFunction, CurrentThreadSymbol, "gil_cond", "gil_mutex", "interpreter_lock", "PyInt_Type", "PyString_Type"];

    public static IEnumerable<string> KnownVersions => KnownLayouts.Versions.Concat(DebugOffsets.KnownVersions);

    /// <exception cref="UnreadableException">The interpreter cannot be read: version, build or symbols.</exception>
    public static ReadableInterpreter Find(TargetProcess target, ProcessMemory memory)
    {
        var file = target.Libpython ?? target.Executable;
        var version = target.Version ?? throw new UnreadableException($"the interpreter's version of process {target.Pid} is not known");
        var legacy = version.Major == 2 || (version.Major == 3 && version.Minor < 7);
        var ownTable = version.Major == 3 && version.Minor >= 13;
        // What the version and build allow is known before any file is read.
        if (!ownTable && target.IsDebugBuild)
            throw new UnreadableException($"process {target.Pid} runs a debug build of Python {version.Major}.{version.Minor}, whose objects are laid out differently", "use --method inject");
        var known = ownTable ? null : KnownLayouts.For(version.Major, version.Minor);
        if (ownTable ? !DebugOffsets.Knows(version.Minor) : known is null)
            throw new UnreadableException($"host has no layout for Python {version.Major}.{version.Minor}", "the versions host can read: " + string.Join(", ", KnownVersions));
        string[] names = [RuntimeSection, Runtime, CodeTypeSymbol, .. legacy ? LegacySymbols : [], .. ValueSymbols];
        var symbols = MappedSymbols.Addresses(target.Pid, file, names, localSymbols: legacy);
        if (!symbols.TryGet(CodeTypeSymbol, out var codeType))
            throw new UnreadableException($"{file} has no symbol table host can read (no {CodeTypeSymbol})", "a stripped build without .dynsym cannot be read from outside; use --method inject");
        symbols.TryGet(CurrentThreadSymbol, out var current);
        if (ownTable)
        {
            if (RuntimeAddress(symbols) is not { } runtime)
                throw new UnreadableException($"{file} has neither a {RuntimeSection} section nor a {Runtime} symbol");
            if (DebugOffsets.ReadHeader(memory, runtime, out var table) is not { } header)
                throw new UnreadableException($"process {target.Pid}'s _PyRuntime has no debug offsets table (\"xdebugpy\")");
            var layout = DebugOffsets.FromTable(header, table)
                ?? throw new UnreadableException($"Python {header.Major}.{header.Minor} has a debug offsets table this host cannot read",
                    "the versions host can read: " + string.Join(", ", KnownVersions));
            return new ReadableInterpreter(layout, runtime, codeType, null, symbols);
        }
        if (version.Major == 3 && version.Minor >= 7)
        {
            if (RuntimeAddress(symbols) is not { } runtime)
                throw new UnreadableException($"{file} has neither a {RuntimeSection} section nor a {Runtime} symbol");
            return new ReadableInterpreter(known!, runtime, codeType, null, symbols);
        }
        var head = symbols.TryGet(InterpHead, out var variable) ? variable
            : symbols.TryGet(HeadFunction, out var function) ? HeadFromFunction(memory, function) : null;
        if (head is not { } root)
            throw new UnreadableException($"{file} has neither the interp_head symbol nor a {HeadFunction} host can decode");
        return new ReadableInterpreter(known!, root, codeType, current == 0 ? null : current, symbols);
    }

    /// <summary>_PyRuntime: the section CPython 3.12+ keep it in (as its own remote debugger finds it), else its symbol.</summary>
    private static ulong? RuntimeAddress(FoundSymbols symbols) => symbols.Find(RuntimeSection) ?? symbols.Find(Runtime);

    /// <summary>
    /// 2.7 and 3.6 keep the interpreter list in a static variable. Where the symbol table that names
    /// it was stripped, the exported PyInterpreterState_Head() still reads it: "mov rax, [rip+disp32]; ret".
    /// </summary>
    private static ulong? HeadFromFunction(ProcessMemory memory, ulong function)
    {
        Span<byte> code = stackalloc byte[8];
        if (!memory.TryRead(function, code) || code[0] != 0x48 || code[1] != 0x8b || code[2] != 0x05 || code[7] != 0xc3)
            return null;
        return (ulong)((long)function + 7 + System.Buffers.Binary.BinaryPrimitives.ReadInt32LittleEndian(code[3..]));
    }
}
