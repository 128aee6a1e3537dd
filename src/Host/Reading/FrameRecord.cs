using System.Buffers.Binary;
using Host.Linux;
using Host.Reading.Layouts;

namespace Host.Reading;

/// <summary>
/// The fields of one frame record as read from the target (a PyFrameObject up to 3.10, a
/// _PyInterpreterFrame after), for the dump's walk and the sampler's alike: which code it runs,
/// the frame before it, where it is in its bytecode.
/// </summary>
internal static class FrameRecord
{
    /// <summary>How many bytes of a frame the walks need: up to the last field they read, not the whole struct.</summary>
    public static int ReadSize(InterpreterLayout layout)
    {
        var last = Math.Max(Math.Max(layout.FramePrevious, layout.FrameCode), Math.Max(layout.FrameInstruction, Math.Max(layout.FrameOwner ?? 0, layout.FrameBytecodeIndex ?? 0)));
        return (int)Math.Min(layout.FrameSize, last + 8);
    }

    /// <summary>A frame the interpreter keeps for itself (3.12's C-stack shims, 3.14's interpreter frames): not the program's.</summary>
    public static bool Internal(ReadOnlySpan<byte> frame, InterpreterLayout layout) =>
        layout.FrameOwner is { } ownerAt && frame[(int)ownerAt] >= layout.FirstInternalOwner;

    /// <summary>The frame's code object: 3.14+ keep it as a tagged reference, whose low bits are tags.</summary>
    public static ulong Code(ReadOnlySpan<byte> frame, InterpreterLayout layout) =>
        layout.TaggedCode ? Word(frame, layout.FrameCode) & ~7UL : Word(frame, layout.FrameCode);

    /// <summary>The frame it was called from, or 0 where that is not a plausible pointer.</summary>
    public static ulong Previous(ReadOnlySpan<byte> frame, InterpreterLayout layout) => RemotePointer.Valid(Word(frame, layout.FramePrevious)) ?? 0;

    /// <summary>Where the frame is in its bytecode as recorded: f_lasti up to 3.10, the instruction pointer after.</summary>
    public static ulong Instruction(ReadOnlySpan<byte> frame, InterpreterLayout layout) =>
        layout.Chain == FrameChain.FrameObjects
            ? (ulong)(long)BinaryPrimitives.ReadInt32LittleEndian(frame[(int)layout.FrameInstruction..])
            : Word(frame, layout.FrameInstruction);

    /// <summary>3.14+ free-threaded: which thread's copy of the bytecode the frame runs (0: the code's own).</summary>
    public static int BytecodeIndex(ReadOnlySpan<byte> frame, InterpreterLayout layout) =>
        layout.FrameBytecodeIndex is { } at ? BinaryPrimitives.ReadInt32LittleEndian(frame[(int)at..]) : 0;

    /// <summary>
    /// The instruction's offset in bytes from the start of the bytecode, as the line tables count it;
    /// null where an instruction pointer lies outside its code (a torn read).
    /// </summary>
    /// <param name="instruction">What <see cref="Instruction"/> gave.</param>
    /// <param name="bytecode">3.11+: where the bytecode the frame runs starts (<see cref="BytecodeStart"/>).</param>
    public static long? ByteOffset(InterpreterLayout layout, ulong instruction, ulong bytecode, long units)
    {
        if (layout.Chain == FrameChain.FrameObjects)
        {
            // f_lasti: a byte offset up to 3.9, an instruction index on 3.10.
            var lasti = (long)instruction;
            return layout.LineTable == LineTableFormat.Python310 ? lasti * 2 : lasti;
        }
        var offset = (long)(instruction - bytecode);
        // prev_instr may sit one unit before the first instruction; anything else outside is torn.
        return offset < -2 || offset >= units * 2 ? null : offset;
    }

    /// <summary>
    /// Where the bytecode a frame runs starts: the code object's own, or on a free-threaded 3.14+
    /// build the thread's copy (co_tlbc->entries[index]; entry 0 is the code's own).
    /// </summary>
    public static ulong BytecodeStart(ProcessMemory memory, InterpreterLayout layout, RemoteCodeInfo code, int index)
    {
        if (index <= 0 || layout.CodeThreadBytecode is not { } arrayAt || RemotePointer.At(memory, code.Address + arrayAt) is not { } array)
            return code.Bytecode;
        Span<byte> size = stackalloc byte[8];
        if (!memory.TryRead(array, size) || index >= BinaryPrimitives.ReadInt64LittleEndian(size))
            return code.Bytecode;
        return RemotePointer.At(memory, array + 8 + 8 * (ulong)index) ?? code.Bytecode;
    }

    private static ulong Word(ReadOnlySpan<byte> bytes, ulong offset) => BinaryPrimitives.ReadUInt64LittleEndian(bytes[(int)offset..]);
}
