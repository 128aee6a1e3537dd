using System.Buffers.Binary;
using Host.Linux;
using Host.Reading.Layouts;

namespace Host.Reading;

/// <summary>One Python frame read from outside.</summary>
/// <param name="Function">The code's qualified name (co_qualname, 3.11+), else co_name.</param>
/// <param name="Line">Null where the line table gives none.</param>
/// <param name="Frame">Where the frame is in the target (for its locals).</param>
internal sealed record OutsideFrame(string File, string Function, int? Line, RemoteCodeInfo Code, ulong Frame);

/// <summary>
/// A thread's Python frames, innermost first, read from the target's memory. Frames the
/// interpreter keeps for itself (the C stack's entry frames) and frames whose executable is not a
/// code object are left out, as the interpreter's own tracebacks leave them out. The walk is
/// bounded and never follows a pointer it could not read.
/// </summary>
internal sealed class OutsideStacks(ProcessMemory memory, ReadableInterpreter target)
{
    private const int MaxDepth = 4096;
    private readonly InterpreterLayout _layout = target.Layout;
    private readonly RemoteCode _codes = new(memory, target);

    public List<OutsideFrame> Read(OutsideThread thread)
    {
        var frames = new List<OutsideFrame>();
        var seen = new AddressSet();
        var frame = FirstFrame(thread);
        var bytes = new byte[_layout.FrameSize];
        for (var depth = 0; depth < MaxDepth && frame is { } at && seen.Add(at); depth++)
        {
            if (!memory.TryRead(at, bytes))
                break;
            var owner = _layout.FrameOwner is { } ownerAt ? bytes[(int)ownerAt] : (byte)0;
            var code = Word(bytes, _layout.FrameCode);
            if (_layout.TaggedCode)
                code &= ~7UL; // 3.14+ keep it as a tagged reference: the low bits are tags
            if (owner < _layout.FirstInternalOwner && _codes.Read(code) is { } info)
                frames.Add(new OutsideFrame(info.File, info.Function, Line(bytes, info), info, at));
            frame = RemotePointer.Valid(Word(bytes, _layout.FramePrevious));
        }
        return frames;
    }

    private ulong? FirstFrame(OutsideThread thread)
    {
        var pointer = RemotePointer.At(memory, thread.State + _layout.ThreadFrame);
        return _layout.Chain == FrameChain.ThroughCFrame && pointer is { } cframe
            ? RemotePointer.At(memory, cframe + _layout.CFrameCurrent)
            : pointer;
    }

    private int? Line(byte[] frame, RemoteCodeInfo code)
    {
        long offset;
        if (_layout.Chain == FrameChain.FrameObjects)
        {
            // f_lasti: a byte offset up to 3.9, an instruction index on 3.10.
            offset = BinaryPrimitives.ReadInt32LittleEndian(frame.AsSpan((int)_layout.FrameInstruction));
            if (_layout.LineTable == LineTableFormat.Python310)
                offset *= 2;
        }
        else
        {
            var instruction = Word(frame, _layout.FrameInstruction);
            var bytecode = Bytecode(frame, code);
            offset = (long)(instruction - bytecode);
            // prev_instr may sit one unit before the first instruction; anything else outside is torn.
            if (offset < -2 || offset >= code.Units * 2)
                return null;
        }
        return LineTable.Line(code.LineTable, _layout.LineTable, code.FirstLine, (int)offset);
    }

    /// <summary>
    /// Where the frame's bytecode starts: the code object's own, or on a free-threaded 3.14+ build
    /// the thread's copy the frame runs (co_tlbc->entries[tlbc_index]; entry 0 is the code's own).
    /// </summary>
    private ulong Bytecode(byte[] frame, RemoteCodeInfo code)
    {
        if (_layout.FrameBytecodeIndex is not { } indexAt || _layout.CodeThreadBytecode is not { } arrayAt)
            return code.Bytecode;
        var index = BinaryPrimitives.ReadInt32LittleEndian(frame.AsSpan((int)indexAt));
        if (index <= 0 || RemotePointer.At(memory, code.Address + arrayAt) is not { } array)
            return code.Bytecode;
        Span<byte> size = stackalloc byte[8];
        if (!memory.TryRead(array, size) || index >= BinaryPrimitives.ReadInt64LittleEndian(size))
            return code.Bytecode;
        return RemotePointer.At(memory, array + 8 + 8 * (ulong)index) ?? code.Bytecode;
    }

    private static ulong Word(byte[] bytes, ulong offset) => BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan((int)offset));
}
