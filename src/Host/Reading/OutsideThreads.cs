using System.Buffers.Binary;
using Host.Linux;

namespace Host.Reading;

/// <summary>One thread of the target as its interpreter lists it, read from outside.</summary>
/// <param name="Ident">threading.get_ident().</param>
/// <param name="NativeId">The OS thread id.</param>
/// <param name="State">Where its PyThreadState is in the target.</param>
internal sealed record OutsideThread(ulong Ident, long NativeId, ulong State);

/// <summary>
/// Lists every thread of every interpreter of a target from its memory, through the target's
/// own debug offsets (3.13+). The target keeps running, so the lists are walked defensively:
/// every pointer is read before it is followed, a node seen twice ends the walk, and the walks
/// are bounded.
/// </summary>
internal static class OutsideThreads
{
    private const int MaxInterpreters = 256;
    private const int MaxThreads = 65536;

    public static IReadOnlyList<OutsideThread> Read(ProcessMemory memory, ulong runtime, DebugOffsets offsets)
    {
        var threads = new List<OutsideThread>();
        var seen = new HashSet<ulong>();
        var interpreter = RemotePointer.At(memory, runtime + offsets.InterpretersHead);
        for (var i = 0; i < MaxInterpreters && interpreter is { } interp && seen.Add(interp); i++)
        {
            var state = RemotePointer.At(memory, interp + offsets.InterpreterThreadsHead);
            for (var t = 0; t < MaxThreads && state is { } thread && seen.Add(thread); t++)
            {
                var bytes = new byte[offsets.Thread.Size];
                if (!memory.TryRead(thread, bytes))
                    break;
                threads.Add(new OutsideThread(
                    BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan((int)offsets.Thread.ThreadId)),
                    BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan((int)offsets.Thread.NativeThreadId)),
                    thread));
                state = RemotePointer.Valid(BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan((int)offsets.Thread.Next)));
            }
            interpreter = RemotePointer.At(memory, interp + offsets.InterpreterNext);
        }
        return threads;
    }
}
