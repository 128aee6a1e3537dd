using System.Buffers.Binary;
using Host.Linux;
using Host.Reading.Layouts;

namespace Host.Reading;

/// <summary>A thread as the threading module knows it.</summary>
internal sealed record ThreadingThread(ulong Ident, string? Name, bool? Daemon);

/// <summary>
/// threading's names for the threads, read from outside as the module keeps them: sys.modules
/// gives the threading module, its _active dict maps each ident to its Thread, whose _name and
/// _daemonic are instance attributes. Nothing is found when threading was never imported, and
/// any step that cannot be read leaves the names out rather than guessing them.
/// </summary>
internal static class ThreadNames
{
    public static List<ThreadingThread> Read(ProcessMemory memory, ReadableInterpreter target, ulong interpreter)
    {
        var found = new List<ThreadingThread>();
        var layout = target.Layout;
        var dicts = new RemoteDict(memory, target);
        var head = layout.ObjectType + 8;
        if (RemotePointer.At(memory, interpreter + layout.InterpreterModules) is not { } modules
            || dicts.Find(modules, "threading") is not { } threading
            || RemotePointer.At(memory, threading + head) is not { } globals // PyModuleObject.md_dict
            || dicts.Find(globals, "_active") is not { } active)
            return found;
        target.Symbols.TryGet("_Py_TrueStruct", out var trueObject);
        // 2.7's Thread keeps them in private (name-mangled) attributes.
        string[] names = layout.Major == 2 ? ["_Thread__name", "_Thread__daemonic"] : ["_name", "_daemonic"];
        foreach (var entry in dicts.Entries(active))
        {
            if (Integer(memory, target, entry.Key) is not { } ident)
                continue;
            var attributes = dicts.Attributes(entry.Value, names);
            var name = attributes[0] is { } text ? RemoteText.Read(memory, text, layout) : null;
            bool? daemon = attributes[1] is { } flag ? flag == trueObject : null;
            found.Add(new ThreadingThread(ident, name, daemon));
        }
        return found;
    }

    /// <summary>A non-negative int below 2^60 (an ident): 2.7's int, or a long of at most two 30-bit digits.</summary>
    private static ulong? Integer(ProcessMemory memory, ReadableInterpreter target, ulong address)
    {
        var layout = target.Layout;
        Span<byte> bytes = stackalloc byte[8];
        if (!memory.TryRead(address + layout.ObjectType, bytes))
            return null;
        var type = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        if (target.Symbols.TryGet("PyInt_Type", out var intType) && type == intType)
            return memory.TryRead(address + layout.ObjectType + 8, bytes) ? BinaryPrimitives.ReadUInt64LittleEndian(bytes) : null;
        if (!target.Symbols.TryGet("PyLong_Type", out var longType) || type != longType)
            return null;
        long digits;
        if (layout.LongTag is { } tagAt)
        {
            if (!memory.TryRead(address + tagAt, bytes))
                return null;
            var tag = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
            digits = (tag & 3) == 2 ? -1 : (long)(tag >> 3); // negative: not an ident
        }
        else
        {
            if (!memory.TryRead(address + layout.ObjectSize, bytes))
                return null;
            digits = BinaryPrimitives.ReadInt64LittleEndian(bytes);
        }
        if (digits is < 0 or > 2)
            return null;
        Span<byte> values = stackalloc byte[8];
        values.Clear();
        if (digits > 0 && !memory.TryRead(address + layout.LongDigits, values[..(int)(digits * 4)]))
            return null;
        return (BinaryPrimitives.ReadUInt32LittleEndian(values) & 0x3fffffff) | ((ulong)(BinaryPrimitives.ReadUInt32LittleEndian(values[4..]) & 0x3fffffff) << 30);
    }
}
