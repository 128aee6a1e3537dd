using System.Buffers.Binary;
using Host.Linux;
using Host.Reading.Layouts;

namespace Host.Reading;

/// <summary>One key and value of a dict read from outside (object addresses).</summary>
internal sealed record RemoteEntry(ulong Key, ulong Value);

/// <summary>
/// Reads dicts, and the attributes of instances, from outside, as each version lays them out:
/// 2.7's open table; 3.6–3.10's compact keys (indices, then entries of hash, key, value); 3.11+'s
/// keys with a log2 size and a kind (entries without the hash for str keys); split tables, whose
/// values live apart from the shared keys; and 3.11+'s instances whose attribute values are kept
/// outside any dict (managed dicts, 3.13+'s inline values). Entries are walked rather than
/// hashed: the target's str hashes are salted with its own secret. Every count is bounded.
/// </summary>
internal sealed class RemoteDict(ProcessMemory memory, ReadableInterpreter target)
{
    private const long MaxEntries = 1 << 16;
    // tp_flags bits: the instance's dict is managed by the interpreter (3.11+), its values inline in the object (3.13+).
    private const ulong ManagedDict = 1 << 4, InlineValues = 1 << 2;
    private readonly InterpreterLayout _layout = target.Layout;
    private bool Since(int minor) => _layout.Major == 3 && _layout.Minor >= minor;

    /// <summary>Where an object's own fields start: after ob_type (a free-threaded build's header is larger).</summary>
    private ulong Head => _layout.ObjectType + 8;

    /// <summary>The dict's entries, or none when it is not a dict or cannot be read.</summary>
    public List<RemoteEntry> Entries(ulong dict)
    {
        var entries = new List<RemoteEntry>();
        if (!IsDict(dict))
            return entries;
        if (_layout.Major == 2)
            return OpenTable(dict, entries);
        // ma_used, a version tag, then ma_keys and ma_values.
        if (Word(dict + Head + 16) is not { } keys)
            return entries;
        var values = Word(dict + Head + 24) ?? 0;
        return KeysEntries(keys, values == 0 ? null : ValuesArray(values), entries);
    }

    /// <summary>The value of the str key <paramref name="name"/>, or null.</summary>
    public ulong? Find(ulong dict, string name) => Pick(Entries(dict), name);

    /// <summary>An instance's attribute from its __dict__, wherever this version keeps it; null when it has none or cannot be read.</summary>
    public ulong? Attribute(ulong instance, string name)
    {
        if (Word(instance + _layout.ObjectType) is not { } type || Word(type + _layout.TypeFlags) is not { } flags)
            return null;
        if (Since(11) && (flags & ManagedDict) != 0)
            return ManagedAttribute(instance, type, flags, name);
        // tp_dictoffset: 15 words after tp_flags in every version.
        var offset = (long)(Word(type + _layout.TypeFlags + 120) ?? 0);
        if (offset <= 0 || offset > 4096)
            return null;
        return Word(instance + (ulong)offset) is { } dict ? Find(dict, name) : null;
    }

    private ulong? ManagedAttribute(ulong instance, ulong type, ulong flags, string name)
    {
        // The managed dict pointer sits three words before the object, once the dict exists.
        var before = Word(instance - 24) ?? 0;
        if (Since(12) && !Since(13) && (before & 1) != 0)
            return SharedKeysValue(type, before + 1, name); // 3.12: the slot holds the values' address less one
        if (before != 0 && IsDict(before))
            return Find(before, name);
        if (Since(13) && (flags & InlineValues) != 0 && Word(type + _layout.TypeName + 8) is { } basicSize and < 4096)
            return SharedKeysValue(type, instance + basicSize, name);
        if (!Since(12) && Word(instance - 32) is { } values)
            return SharedKeysValue(type, values, name); // 3.11: the values pointer is four words before
        return null;
    }

    /// <summary>A value of a split table: the type's cached (shared) keys give its index in <paramref name="values"/>.</summary>
    private ulong? SharedKeysValue(ulong type, ulong values, string name)
    {
        if (CachedKeys(type) is not { } keys)
            return null;
        return Pick(KeysEntries(keys, ValuesArray(values), []), name);
    }

    /// <summary>
    /// PyHeapTypeObject.ht_cached_keys, found rather than taken from a table: it follows ht_name,
    /// ht_slots and ht_qualname, and ht_name and ht_qualname both name a type defined at module
    /// level by its own name. Checked by the keys' own shape.
    /// </summary>
    private ulong? CachedKeys(ulong type)
    {
        if (Word(type + _layout.TypeName) is not { } nameAt)
            return null;
        var bytes = new byte[1024];
        if (!memory.TryRead(type, bytes))
            return null;
        for (var at = 256; at + 32 <= bytes.Length; at += 8)
        {
            var htName = BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(at));
            var htQualname = BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(at + 16));
            if (htName == 0 || htName != htQualname || RemotePointer.Valid(htName) is null)
                continue;
            var keys = BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(at + 24));
            if (RemotePointer.Valid(keys) is not null && LooksLikeKeys(keys) && RemoteText.Read(memory, htName, _layout) is { Length: > 0 })
                return keys;
        }
        return null;
    }

    private bool LooksLikeKeys(ulong keys)
    {
        Span<byte> header = stackalloc byte[32];
        return memory.TryRead(keys, header) && header[8] is > 0 and < 32 && header[9] >= header[8] && header[9] <= header[8] + 3 && header[10] <= 2
            && BinaryPrimitives.ReadInt64LittleEndian(header[24..]) is >= 0 and < MaxEntries;
    }

    /// <summary>Where a split table's value pointers start: 3.13+ put four bytes of bookkeeping (and padding) first.</summary>
    private ulong ValuesArray(ulong values) => Since(13) ? values + 8 : values;

    private List<RemoteEntry> KeysEntries(ulong keys, ulong? values, List<RemoteEntry> entries)
    {
        Span<byte> header = stackalloc byte[40];
        if (!memory.TryRead(keys, header))
            return entries;
        long count;
        ulong first;
        int width;
        if (Since(11))
        {
            int log2Size = header[8], log2IndexBytes = header[9], kind = header[10];
            count = BinaryPrimitives.ReadInt64LittleEndian(header[24..]);
            if (log2Size > 30 || log2IndexBytes > 33)
                return entries;
            first = keys + 32 + (1UL << log2IndexBytes);
            width = kind == 0 ? 24 : 16;
        }
        else
        {
            var size = BinaryPrimitives.ReadInt64LittleEndian(header[8..]);
            count = BinaryPrimitives.ReadInt64LittleEndian(header[32..]);
            if (size is <= 0 or > MaxEntries)
                return entries;
            var indexBytes = size <= 0xff ? 1 : size <= 0xffff ? 2 : size <= 0xffffffff ? 4 : 8;
            first = keys + 40 + (ulong)(size * indexBytes);
            width = 24;
        }
        if (count is < 0 or > MaxEntries)
            return entries;
        var table = new byte[count * width];
        if (!memory.TryRead(first, table))
            return entries;
        var valueArray = values is { } split ? new byte[count * 8] : null;
        if (valueArray is not null && !memory.TryRead(values!.Value, valueArray))
            return entries;
        var keyAt = width == 24 ? 8 : 0;
        for (var i = 0; i < count; i++)
        {
            var key = BinaryPrimitives.ReadUInt64LittleEndian(table.AsSpan(i * width + keyAt));
            var value = valueArray is not null
                ? BinaryPrimitives.ReadUInt64LittleEndian(valueArray.AsSpan(i * 8))
                : BinaryPrimitives.ReadUInt64LittleEndian(table.AsSpan(i * width + keyAt + 8));
            if (RemotePointer.Valid(key) is not null && RemotePointer.Valid(value) is not null)
                entries.Add(new RemoteEntry(key, value));
        }
        return entries;
    }

    /// <summary>2.7: ma_mask + 1 slots of (hash, key, value); a slot with no value is empty or deleted.</summary>
    private List<RemoteEntry> OpenTable(ulong dict, List<RemoteEntry> entries)
    {
        // ma_fill, ma_used, then ma_mask and ma_table.
        if (Word(dict + Head + 16) is not { } mask || mask >= MaxEntries || Word(dict + Head + 24) is not { } slots)
            return entries;
        var table = new byte[(long)(mask + 1) * 24];
        if (!memory.TryRead(slots, table))
            return entries;
        for (var i = 0; i <= (long)mask; i++)
        {
            var key = BinaryPrimitives.ReadUInt64LittleEndian(table.AsSpan(i * 24 + 8));
            var value = BinaryPrimitives.ReadUInt64LittleEndian(table.AsSpan(i * 24 + 16));
            if (RemotePointer.Valid(key) is not null && RemotePointer.Valid(value) is not null)
                entries.Add(new RemoteEntry(key, value));
        }
        return entries;
    }

    private ulong? Pick(List<RemoteEntry> entries, string name)
    {
        foreach (var entry in entries)
        {
            if (RemoteText.Is(memory, entry.Key, _layout, name))
                return entry.Value;
        }
        return null;
    }

    private bool IsDict(ulong address) =>
        RemotePointer.Valid(address) is not null && target.Symbols.TryGet("PyDict_Type", out var dictType) && Word(address + _layout.ObjectType) == dictType;

    private ulong? Word(ulong address) => RemotePointer.Word(memory, address);
}
