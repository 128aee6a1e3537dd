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
/// Every thread's Python frames, innermost first, read from the target's memory. The chains are
/// walked side by side, one level of every thread's stack per system call, and the code objects
/// they run are read together afterwards: a dump costs about as many reads as its deepest stack.
/// Frames the interpreter keeps for itself (the C stack's entry frames) and frames whose
/// executable is not a code object are left out, as the interpreter's own tracebacks leave them
/// out. The walks are bounded and never follow a pointer they could not read.
/// </summary>
internal sealed class OutsideStacks(ProcessMemory memory, ReadableInterpreter target)
{
    private const int MaxDepth = 4096;
    private readonly InterpreterLayout _layout = target.Layout;
    private readonly RemoteCode _codes = new(memory, target);

    /// <summary>A frame's bytes as read, and where they were.</summary>
    private sealed record RawFrame(ulong At, byte[] Bytes);

    /// <summary>The frames of each of <paramref name="threads"/>, in the same order.</summary>
    public List<OutsideFrame>[] ReadAll(IReadOnlyList<OutsideThread> threads)
    {
        var raw = Walk(threads);
        var codes = new List<ulong>();
        foreach (var frames in raw)
        {
            foreach (var frame in frames)
            {
                if (!Internal(frame.Bytes))
                    codes.Add(Code(frame.Bytes));
            }
        }
        _codes.ReadAll(codes);
        var stacks = new List<OutsideFrame>[threads.Count];
        for (var t = 0; t < threads.Count; t++)
        {
            stacks[t] = new List<OutsideFrame>(raw[t].Count);
            foreach (var frame in raw[t])
            {
                if (!Internal(frame.Bytes) && _codes.Read(Code(frame.Bytes)) is { } info)
                    stacks[t].Add(new OutsideFrame(info.File, info.Function, Line(frame.Bytes, info), info, frame.At));
            }
        }
        return stacks;
    }

    /// <summary>Every thread's chain of frames, read a level at a time: each round reads the next frame of every chain still going.</summary>
    private List<RawFrame>[] Walk(IReadOnlyList<OutsideThread> threads)
    {
        var chains = new List<RawFrame>[threads.Count];
        var seen = new AddressSet[threads.Count];
        var next = FirstFrames(threads);
        for (var t = 0; t < threads.Count; t++)
        {
            chains[t] = [];
            seen[t] = new AddressSet();
        }
        var size = FrameRecord.ReadSize(_layout);
        var going = new List<int>(threads.Count);
        for (var depth = 0; depth < MaxDepth; depth++)
        {
            going.Clear();
            for (var t = 0; t < threads.Count; t++)
            {
                if (next[t] != 0 && seen[t].Add(next[t]))
                    going.Add(t);
            }
            if (going.Count == 0)
                break;
            var addresses = new ulong[going.Count];
            for (var i = 0; i < going.Count; i++)
                addresses[i] = next[going[i]];
            var into = new byte[going.Count * size];
            var whole = new bool[going.Count];
            memory.ReadEach(addresses, size, into, whole);
            for (var i = 0; i < going.Count; i++)
            {
                var t = going[i];
                if (!whole[i])
                {
                    next[t] = 0;
                    continue;
                }
                var bytes = into.AsSpan(i * size, size).ToArray();
                chains[t].Add(new RawFrame(addresses[i], bytes));
                next[t] = FrameRecord.Previous(bytes, _layout);
            }
        }
        return chains;
    }

    /// <summary>Each thread's innermost frame (0 where it has none): 3.11 and 3.12 reach it through the C frame.</summary>
    private ulong[] FirstFrames(IReadOnlyList<OutsideThread> threads)
    {
        var first = new ulong[threads.Count];
        for (var t = 0; t < threads.Count; t++)
            first[t] = RemotePointer.Valid(threads[t].Frame) ?? 0;
        if (_layout.Chain != FrameChain.ThroughCFrame)
            return first;
        var addresses = new ulong[threads.Count];
        for (var t = 0; t < threads.Count; t++)
            addresses[t] = first[t] == 0 ? 0 : first[t] + _layout.CFrameCurrent;
        var into = new byte[8 * threads.Count];
        var whole = new bool[threads.Count];
        memory.ReadEach(addresses, 8, into, whole);
        for (var t = 0; t < threads.Count; t++)
            first[t] = whole[t] ? RemotePointer.Valid(Word(into, (ulong)(8 * t))) ?? 0 : 0;
        return first;
    }

    private bool Internal(byte[] frame) => FrameRecord.Internal(frame, _layout);

    private ulong Code(byte[] frame) => FrameRecord.Code(frame, _layout);

    private int? Line(byte[] frame, RemoteCodeInfo code)
    {
        var bytecode = _layout.Chain == FrameChain.FrameObjects ? 0 : FrameRecord.BytecodeStart(memory, _layout, code, FrameRecord.BytecodeIndex(frame, _layout));
        return FrameRecord.ByteOffset(_layout, FrameRecord.Instruction(frame, _layout), bytecode, code.Units) is { } offset
            ? LineTable.Line(code.LineTable, _layout.LineTable, code.FirstLine, (int)offset)
            : null;
    }

    private static ulong Word(byte[] bytes, ulong offset) => BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan((int)offset));
}
