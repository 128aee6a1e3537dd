using System.Buffers.Binary;
using Host.Linux;

namespace Host.Reading;

/// <summary>One Python frame read from outside.</summary>
/// <param name="Function">The code's qualified name (co_qualname).</param>
internal sealed record OutsideFrame(string File, string Function, int FirstLine);

/// <summary>
/// A thread's Python frames, innermost first, read from the target's memory through its debug
/// offsets (3.13+). Frames the interpreter keeps for itself (the C stack's entry frames) and
/// frames whose executable is not a code object are left out, as the interpreter's own
/// tracebacks leave them out. The walk is bounded and never follows a pointer it could not read.
/// </summary>
internal static class OutsideStacks
{
    private const int MaxDepth = 1024;
    // Owners 3 and above are the interpreter's own frames (3.13: C stack; 3.14+: interpreter, C stack).
    private const byte FirstInternalOwner = 3;

    /// <param name="codeType">The address of PyCode_Type in the target, to recognise code objects.</param>
    public static IReadOnlyList<OutsideFrame> Read(ProcessMemory memory, OutsideThread thread, DebugOffsets offsets, ulong codeType)
    {
        var layout = offsets.Frames;
        var frames = new List<OutsideFrame>();
        var seen = new HashSet<ulong>();
        var frame = RemotePointer.At(memory, thread.State + offsets.Thread.CurrentFrame);
        var bytes = new byte[layout.FrameSize];
        for (var depth = 0; depth < MaxDepth && frame is { } at && seen.Add(at); depth++)
        {
            if (!memory.TryRead(at, bytes))
                break;
            var owner = bytes[(int)layout.FrameOwner];
            // 3.14+ keep the executable as a tagged reference: the low bits are tags.
            var executable = BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan((int)layout.FrameExecutable)) & ~7UL;
            if (owner < FirstInternalOwner && Code(memory, executable, layout, codeType) is { } code)
                frames.Add(code);
            frame = RemotePointer.Valid(BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan((int)layout.FramePrevious)));
        }
        return frames;
    }

    private static OutsideFrame? Code(ProcessMemory memory, ulong code, FrameLayout layout, ulong codeType)
    {
        if (RemotePointer.Valid(code) is null || RemotePointer.At(memory, code + layout.ObjectType) != codeType)
            return null;
        var file = RemoteText.Read(memory, RemotePointer.At(memory, code + layout.CodeFilename) ?? 0, layout);
        var name = RemoteText.Read(memory, RemotePointer.At(memory, code + layout.CodeQualname) ?? 0, layout);
        Span<byte> line = stackalloc byte[4];
        if (file is null || name is null || !memory.TryRead(code + layout.CodeFirstLine, line))
            return null;
        return new OutsideFrame(file, name, BinaryPrimitives.ReadInt32LittleEndian(line));
    }
}
