using System.Buffers.Binary;
using Host.Linux;
using Host.Reading.Layouts;

namespace Host.Reading;

/// <summary>One thread of the target as its interpreter lists it, read from outside.</summary>
/// <param name="Ident">threading.get_ident().</param>
/// <param name="NativeId">The OS thread id, where the thread state records it (3.11+).</param>
/// <param name="State">Where its PyThreadState is in the target.</param>
/// <param name="Interpreter">Where its PyInterpreterState is.</param>
/// <param name="Frame">Its thread state's frame pointer as read: the innermost frame, or (3.11, 3.12) the C frame that points to it.</param>
internal sealed record OutsideThread(ulong Ident, long? NativeId, ulong State, ulong Interpreter, ulong Frame);

/// <summary>
/// Lists every thread of every interpreter of a target from its memory. The target may keep
/// running, so the lists are walked defensively: every pointer is read before it is followed, a
/// node seen twice ends the walk, and the walks are bounded.
/// </summary>
internal static class OutsideThreads
{
    private const int MaxInterpreters = 256;
    private const int MaxThreads = 65536;

    public static List<OutsideThread> Read(ProcessMemory memory, ReadableInterpreter target)
    {
        var layout = target.Layout;
        var threads = new List<OutsideThread>();
        var seen = new AddressSet();
        var bytes = new byte[layout.ThreadSize];
        var interpreter = RemotePointer.At(memory, target.Root + layout.InterpretersHead);
        for (var i = 0; i < MaxInterpreters && interpreter is { } interp && seen.Add(interp); i++)
        {
            var state = RemotePointer.At(memory, interp + layout.InterpreterThreadsHead);
            for (var t = 0; t < MaxThreads && state is { } thread && seen.Add(thread); t++)
            {
                if (!memory.TryRead(thread, bytes))
                    break;
                long? native = layout.NativeThreadId is { } at ? BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan((int)at)) : null;
                threads.Add(new OutsideThread(BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan((int)layout.ThreadId)), native, thread, interp,
                    BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan((int)layout.ThreadFrame))));
                state = RemotePointer.Valid(BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan((int)layout.ThreadNext)));
            }
            interpreter = RemotePointer.At(memory, interp + layout.InterpreterNext);
        }
        return threads;
    }
}
