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
    private readonly AddressMap<TypeKind> _types = new();
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
    public ulong? Find(ulong dict, string name) => Pick(Entries(dict), [name])[0];

    /// <summary>
    /// An instance's attributes from its __dict__, wherever this version keeps it: for each of
    /// <paramref name="names"/> its value, or null when it has none or it cannot be read. What its
    /// type says (flags, where the dict is, the shared keys) is read once per type.
    /// </summary>
    public ulong?[] Attributes(ulong instance, string[] names)
    {
        if (Word(instance + _layout.ObjectType) is not { } type || Kind(type) is not { } kind)
            return new ulong?[names.Length];
        if (Since(11) && (kind.Flags & ManagedDict) != 0)
            return ManagedAttributes(instance, type, kind, names);
        return kind.DictOffset is > 0 and <= 4096 && Word(instance + (ulong)kind.DictOffset) is { } dict
            ? Pick(Entries(dict), names)
            : new ulong?[names.Length];
    }

    private ulong?[] ManagedAttributes(ulong instance, ulong type, TypeKind kind, string[] names)
    {
        // The managed dict pointer sits three words before the object, once the dict exists.
        var before = Word(instance - 24) ?? 0;
        if (Since(12) && !Since(13) && (before & 1) != 0)
            return SharedKeysValues(type, before + 1, names); // 3.12: the slot holds the values' address less one
        if (before != 0 && IsDict(before))
            return Pick(Entries(before), names);
        if (Since(13) && (kind.Flags & InlineValues) != 0 && kind.BasicSize is > 0 and < 4096)
            return SharedKeysValues(type, instance + (ulong)kind.BasicSize, names);
        if (!Since(12) && Word(instance - 32) is { } values)
            return SharedKeysValues(type, values, names); // 3.11: the values pointer is four words before
        return new ulong?[names.Length];
    }

    /// <summary>What the reader needs of a type, read once: tp_flags, tp_dictoffset, tp_basicsize, and its shared keys when asked for.</summary>
    private sealed class TypeKind(ulong flags, long dictOffset, long basicSize)
    {
        public ulong Flags { get; } = flags;
        public long DictOffset { get; } = dictOffset;
        public long BasicSize { get; } = basicSize;
        public bool SharedKeysRead { get; set; }
        public ulong[]? SharedKeys { get; set; }
        public Dictionary<string, int> Slots { get; } = new(StringComparer.Ordinal);
    }

    private TypeKind? Kind(ulong type)
    {
        if (_types.TryGet(type, out var known))
            return known;
        // tp_basicsize follows tp_name; tp_dictoffset is 15 words after tp_flags in every version.
        TypeKind? kind = null;
        if (Word(type + _layout.TypeFlags) is { } flags)
            kind = new TypeKind(flags, (long)(Word(type + _layout.TypeFlags + 120) ?? 0), (long)(Word(type + _layout.TypeName + 8) ?? 0));
        _types.Set(type, kind);
        return kind;
    }

    /// <summary>Values of a split table: the type's cached (shared) keys give each name's index in <paramref name="values"/>.</summary>
    private ulong?[] SharedKeysValues(ulong type, ulong values, string[] names)
    {
        var found = new ulong?[names.Length];
        var kind = Kind(type)!;
        if (!kind.SharedKeysRead)
        {
            kind.SharedKeysRead = true;
            kind.SharedKeys = CachedKeys(type) is { } keys ? ReadKeys(keys)?.Keys : null;
        }
        if (kind.SharedKeys is not { } shared)
            return found;
        var missing = new List<string>();
        foreach (var name in names)
        {
            if (!kind.Slots.ContainsKey(name))
                missing.Add(name);
        }
        if (missing.Count > 0)
        {
            var slots = RemoteText.IndexOfEach(memory, shared, _layout, [.. missing]);
            for (var i = 0; i < missing.Count; i++)
                kind.Slots[missing[i]] = slots[i];
        }
        var last = -1;
        foreach (var name in names)
            last = Math.Max(last, kind.Slots[name]);
        if (last < 0)
            return found;
        var array = new byte[(last + 1) * 8];
        if (!memory.TryRead(ValuesArray(values), array))
            return found;
        for (var i = 0; i < names.Length; i++)
        {
            if (kind.Slots[names[i]] is >= 0 and var slot)
                found[i] = RemotePointer.Valid(BinaryPrimitives.ReadUInt64LittleEndian(array.AsSpan(slot * 8)));
        }
        return found;
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

    /// <summary>A keys object's entries by slot: each key, and each value (combined tables; a split table's are elsewhere).</summary>
    private sealed record KeysTable(ulong[] Keys, ulong[] Values);

    private KeysTable? ReadKeys(ulong keys)
    {
        Span<byte> header = stackalloc byte[40];
        if (!memory.TryRead(keys, header))
            return null;
        long count;
        ulong first;
        int width;
        if (Since(11))
        {
            int log2Size = header[8], log2IndexBytes = header[9], kind = header[10];
            count = BinaryPrimitives.ReadInt64LittleEndian(header[24..]);
            if (log2Size > 30 || log2IndexBytes > 33)
                return null;
            first = keys + 32 + (1UL << log2IndexBytes);
            width = kind == 0 ? 24 : 16;
        }
        else
        {
            var size = BinaryPrimitives.ReadInt64LittleEndian(header[8..]);
            count = BinaryPrimitives.ReadInt64LittleEndian(header[32..]);
            if (size is <= 0 or > MaxEntries)
                return null;
            var indexBytes = size <= 0xff ? 1 : size <= 0xffff ? 2 : size <= 0xffffffff ? 4 : 8;
            first = keys + 40 + (ulong)(size * indexBytes);
            width = 24;
        }
        if (count is < 0 or > MaxEntries)
            return null;
        var table = new byte[count * width];
        if (!memory.TryRead(first, table))
            return null;
        var keyAt = width == 24 ? 8 : 0;
        var found = new KeysTable(new ulong[count], new ulong[count]);
        for (var i = 0; i < count; i++)
        {
            found.Keys[i] = BinaryPrimitives.ReadUInt64LittleEndian(table.AsSpan(i * width + keyAt));
            found.Values[i] = BinaryPrimitives.ReadUInt64LittleEndian(table.AsSpan(i * width + keyAt + 8));
        }
        return found;
    }

    /// <summary>The entries of a keys object, with the values of a split table where <paramref name="values"/> is given.</summary>
    private List<RemoteEntry> KeysEntries(ulong keys, ulong? values, List<RemoteEntry> entries)
    {
        if (ReadKeys(keys) is not { } table)
            return entries;
        var count = table.Keys.Length;
        var valueArray = values is { } split ? new byte[count * 8] : null;
        if (valueArray is not null && !memory.TryRead(values!.Value, valueArray))
            return entries;
        for (var i = 0; i < count; i++)
        {
            var value = valueArray is not null ? BinaryPrimitives.ReadUInt64LittleEndian(valueArray.AsSpan(i * 8)) : table.Values[i];
            if (RemotePointer.Valid(table.Keys[i]) is not null && RemotePointer.Valid(value) is not null)
                entries.Add(new RemoteEntry(table.Keys[i], value));
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

    private ulong?[] Pick(List<RemoteEntry> entries, string[] names)
    {
        var keys = new ulong[entries.Count];
        for (var i = 0; i < keys.Length; i++)
            keys[i] = entries[i].Key;
        var at = RemoteText.IndexOfEach(memory, keys, _layout, names);
        var found = new ulong?[names.Length];
        for (var i = 0; i < names.Length; i++)
            found[i] = at[i] >= 0 ? entries[at[i]].Value : null;
        return found;
    }

    private bool IsDict(ulong address) =>
        RemotePointer.Valid(address) is not null && target.Symbols.TryGet("PyDict_Type", out var dictType) && Word(address + _layout.ObjectType) == dictType;

    private ulong? Word(ulong address) => RemotePointer.Word(memory, address);
}
