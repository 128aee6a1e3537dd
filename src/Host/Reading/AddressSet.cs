namespace Host.Reading;

/// <summary>
/// A set of addresses, for the walks' cycle checks, and with <see cref="AddressMap{T}"/> the code
/// cache. Written here rather than HashSet&lt;ulong&gt; or Dictionary&lt;ulong, T&gt; because the
/// framework's generics over a value type are not precompiled for this assembly: each costs a
/// JIT on every run of a tool whose whole run should take milliseconds.
/// </summary>
internal sealed class AddressSet
{
    private ulong[] _slots = new ulong[64];
    private int _count;

    /// <summary>Adds the address (never 0); false when it was there already.</summary>
    public bool Add(ulong address)
    {
        if (_count * 2 >= _slots.Length)
            Grow();
        var mask = _slots.Length - 1;
        for (var i = Hash(address) & mask; ; i = (i + 1) & mask)
        {
            if (_slots[i] == address)
                return false;
            if (_slots[i] == 0)
            {
                _slots[i] = address;
                _count++;
                return true;
            }
        }
    }

    public bool Contains(ulong address)
    {
        var mask = _slots.Length - 1;
        for (var i = Hash(address) & mask; ; i = (i + 1) & mask)
        {
            if (_slots[i] == address)
                return address != 0;
            if (_slots[i] == 0)
                return false;
        }
    }

    /// <summary>Empties the set, keeping its room: a walk run thousands of times a second reuses one.</summary>
    public void Clear()
    {
        if (_count == 0)
            return;
        Array.Clear(_slots);
        _count = 0;
    }

    internal static int Hash(ulong address) => (int)((address * 0x9E3779B97F4A7C15UL) >> 40);

    private void Grow()
    {
        var old = _slots;
        _slots = new ulong[old.Length * 2];
        _count = 0;
        foreach (var address in old)
        {
            if (address != 0)
                Add(address);
        }
    }
}

/// <summary>A map from addresses (never 0) to objects; see <see cref="AddressSet"/> for why it is not a Dictionary.</summary>
internal sealed class AddressMap<T>
    where T : class
{
    private ulong[] _keys = new ulong[64];
    private T?[] _values = new T?[64];
    private bool[] _present = new bool[64];
    private int _count;

    /// <summary>Whether the address is in the map; its value may be null (a known "nothing there").</summary>
    public bool TryGet(ulong address, out T? value)
    {
        var mask = _keys.Length - 1;
        for (var i = AddressSet.Hash(address) & mask; _present[i]; i = (i + 1) & mask)
        {
            if (_keys[i] == address)
            {
                value = _values[i];
                return true;
            }
        }
        value = null;
        return false;
    }

    public void Set(ulong address, T? value)
    {
        if (_count * 2 >= _keys.Length)
            Grow();
        var mask = _keys.Length - 1;
        var i = AddressSet.Hash(address) & mask;
        while (_present[i] && _keys[i] != address)
            i = (i + 1) & mask;
        if (!_present[i])
            _count++;
        (_keys[i], _values[i], _present[i]) = (address, value, true);
    }

    private void Grow()
    {
        var (keys, values, present) = (_keys, _values, _present);
        _keys = new ulong[keys.Length * 2];
        _values = new T?[keys.Length * 2];
        _present = new bool[keys.Length * 2];
        _count = 0;
        for (var i = 0; i < keys.Length; i++)
        {
            if (present[i])
                Set(keys[i], values[i]);
        }
    }
}
