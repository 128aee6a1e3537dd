using System.Buffers.Binary;
using Host.Linux;
using Host.Reading.Layouts;

namespace Host.Reading;

/// <summary>Which thread state holds an interpreter's GIL, and where the GIL's struct is (a thread asleep on a futex in it waits for the GIL).</summary>
/// <param name="Known">Whether this build and version record the holder at all (a free-threaded build has no GIL to hold).</param>
/// <param name="Holder">The holder's PyThreadState, or null when no thread holds it or it cannot be told.</param>
internal sealed record GilView(bool Known, ulong? Holder, ulong Start, ulong End)
{
    public bool Contains(ulong address) => Start != 0 && address >= Start && address < End;

    /// <summary>Reads the GIL's state for <paramref name="interpreter"/>, as this version records it.</summary>
    public static GilView Read(ProcessMemory memory, ReadableInterpreter target, ulong interpreter)
    {
        var gil = target.Layout.Gil;
        switch (gil.Record)
        {
            case GilRecord.CurrentThreadSymbol when target.CurrentThread is { } current:
                return new GilView(true, RemotePointer.At(memory, current), 0, 0);
            case GilRecord.RuntimeCurrentThread:
                var start = target.Root + gil.Struct;
                return new GilView(true, RemotePointer.At(memory, target.Root + gil.Holder), start, start + gil.StructSize);
            case GilRecord.InterpreterGilPointer when RemotePointer.At(memory, interpreter + gil.Struct) is { } pointed:
                return Locked(memory, pointed, gil);
            case GilRecord.InterpreterGil:
                return Locked(memory, interpreter + gil.Struct, gil);
            default:
                return new GilView(false, null, 0, 0);
        }
    }

    /// <summary>3.12+: last_holder is the holder only while the GIL is locked.</summary>
    private static GilView Locked(ProcessMemory memory, ulong start, GilLayout gil)
    {
        Span<byte> locked = stackalloc byte[4];
        var held = memory.TryRead(start + gil.Locked, locked) && BinaryPrimitives.ReadInt32LittleEndian(locked) != 0;
        return new GilView(true, held ? RemotePointer.At(memory, start + gil.Holder) : null, start, start + gil.StructSize);
    }
}
