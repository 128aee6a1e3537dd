using System.Buffers.Binary;
using Host.Linux;
using Host.Reading.Layouts;

namespace Host.Reading;

/// <summary>Which thread state holds an interpreter's GIL, and where the GIL's struct is (a thread asleep on a futex in it waits for the GIL).</summary>
/// <param name="Known">Whether this build and version record the holder at all (a free-threaded build has no GIL to hold).</param>
/// <param name="Holder">The holder's PyThreadState, or null when no thread holds it or it cannot be told.</param>
/// <param name="OtherStart">A second range a waiter sleeps in: 3.6 keeps the GIL's mutex apart from its condition.</param>
internal sealed record GilView(bool Known, ulong? Holder, ulong Start, ulong End, ulong OtherStart = 0, ulong OtherEnd = 0)
{
    // glibc's sizes on x86_64: pthread_cond_t, pthread_mutex_t, sem_t.
    private const ulong CondSize = 48, MutexSize = 40, SemaphoreSize = 32;

    public bool Contains(ulong address) =>
        Start != 0 && address >= Start && address < End || OtherStart != 0 && address >= OtherStart && address < OtherEnd;

    /// <summary>Reads the GIL's state for <paramref name="interpreter"/>, as this version records it.</summary>
    public static GilView Read(ProcessMemory memory, ReadableInterpreter target, ulong interpreter)
    {
        var gil = target.Layout.Gil;
        switch (gil.Record)
        {
            case GilRecord.CurrentThreadSymbol when target.CurrentThread is { } current:
                return Legacy(memory, target, RemotePointer.At(memory, current));
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

    /// <summary>
    /// 2.7 and 3.6 keep the GIL in static variables (local symbols): 3.6 waits on gil_cond under
    /// gil_mutex; 2.7's interpreter_lock points to the semaphore its waiters sleep on.
    /// </summary>
    private static GilView Legacy(ProcessMemory memory, ReadableInterpreter target, ulong? holder)
    {
        if (target.Symbols.TryGet("gil_cond", out var cond))
        {
            var mutex = target.Symbols.Find("gil_mutex") ?? 0;
            return new GilView(true, holder, cond, cond + CondSize, mutex, mutex == 0 ? 0 : mutex + MutexSize);
        }
        if (target.Symbols.TryGet("interpreter_lock", out var lockAt) && RemotePointer.At(memory, lockAt) is { } semaphore)
            return new GilView(true, holder, semaphore, semaphore + SemaphoreSize);
        return new GilView(true, holder, 0, 0);
    }

    /// <summary>3.12+: last_holder is the holder only while the GIL is locked.</summary>
    private static GilView Locked(ProcessMemory memory, ulong start, GilLayout gil)
    {
        Span<byte> locked = stackalloc byte[4];
        var held = memory.TryRead(start + gil.Locked, locked) && BinaryPrimitives.ReadInt32LittleEndian(locked) != 0;
        return new GilView(true, held ? RemotePointer.At(memory, start + gil.Holder) : null, start, start + gil.StructSize);
    }
}
