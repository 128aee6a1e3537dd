using System.Buffers.Binary;
using System.Globalization;
using System.Numerics;
using System.Text;
using Host.Linux;
using Host.Reading.Layouts;

namespace Host.Reading;

/// <summary>
/// A frame's local variables read from outside, as [name, value] pairs: None, bool, int, float,
/// str and bytes in full (bounded), containers as their type and length, anything else as
/// "&lt;type at 0x…&gt;". Types are recognised by address, so a subclass shows as itself, never
/// as its base. Unbound locals are left out, as frame.f_locals leaves them out.
/// </summary>
internal sealed class RemoteValues(ProcessMemory memory, ReadableInterpreter target)
{
    private const int MaxLocals = 256, MaxText = 200, MaxDigits = 64;
    private readonly InterpreterLayout _layout = target.Layout;
    private readonly AddressMap<string> _kinds = Kinds(target.Symbols);

    private static AddressMap<string> Kinds(FoundSymbols symbols)
    {
        var kinds = new AddressMap<string>();
        foreach (var (symbol, kind) in new[]
        {
            ("PyBool_Type", "bool"), ("PyLong_Type", "long"), ("PyInt_Type", "int2"), ("PyFloat_Type", "float"),
            ("PyUnicode_Type", "str"), ("PyBytes_Type", "bytes"), ("PyString_Type", "bytes"), ("PyTuple_Type", "tuple"),
            ("PyList_Type", "list"), ("PyDict_Type", "dict"), ("PySet_Type", "set"), ("PyFrozenSet_Type", "frozenset"), ("PyCell_Type", "cell"),
        })
        {
            if (symbols.TryGet(symbol, out var address) && !kinds.TryGet(address, out _))
                kinds.Set(address, kind);
        }
        return kinds;
    }

    public List<IReadOnlyList<string>> LocalsOf(OutsideFrame frame)
    {
        var locals = new List<IReadOnlyList<string>>();
        if (RemotePointer.At(memory, frame.Code.Address + _layout.CodeLocalNames) is not { } names)
            return locals;
        var count = Math.Min(Size(names), MaxLocals);
        var values = new byte[count * 8];
        if (count <= 0 || !memory.TryRead(frame.Frame + _layout.FrameLocals, values))
            return locals;
        for (var i = 0; i < count; i++)
        {
            var value = BinaryPrimitives.ReadUInt64LittleEndian(values.AsSpan(i * 8));
            if (_layout.TaggedCode)
                value &= ~7UL;
            if (RemotePointer.Valid(value) is null)
                continue;
            var name = RemotePointer.At(memory, names + _layout.TupleItems + (ulong)i * 8) is { } at ? RemoteText.Read(memory, at, _layout) : null;
            if (name is not null && Describe(value, derefCell: true) is { } shown)
                locals.Add([name, shown]);
        }
        return locals;
    }

    /// <summary>The value shown as text; null for an empty cell (an unbound closure variable).</summary>
    private string? Describe(ulong value, bool derefCell)
    {
        if (Is(value, "_Py_NoneStruct"))
            return "None";
        if (Is(value, "_Py_TrueStruct"))
            return "True";
        if (Is(value, "_Py_FalseStruct"))
            return "False";
        var type = RemotePointer.At(memory, value + _layout.ObjectType);
        if (type is null)
            return $"<unreadable at 0x{value:x}>";
        _kinds.TryGet(type.Value, out var kind);
        return kind switch
        {
            "cell" when derefCell => RemotePointer.At(memory, value + Head) is { } inner ? Describe(inner, derefCell: false) : null,
            "long" => Long(value) ?? Opaque(value, type.Value),
            "int2" => Word(value + Head) is { } small ? ((long)small).ToString(CultureInfo.InvariantCulture) : Opaque(value, type.Value),
            "float" => Float(value) ?? Opaque(value, type.Value),
            "str" => Text(value) ?? Opaque(value, type.Value),
            "bytes" => Bytes(value) ?? Opaque(value, type.Value),
            "tuple" or "list" or "set" or "frozenset" or "dict" => $"<{kind} of {Length(value, kind!)}>",
            _ => Opaque(value, type.Value),
        };
    }

    /// <summary>Where an object's own fields start: after ob_type (a free-threaded build's header is larger).</summary>
    private ulong Head => _layout.ObjectType + 8;

    private bool Is(ulong value, string symbol) => target.Symbols.TryGet(symbol, out var address) && address == value;

    private long Size(ulong value) => Word(value + _layout.ObjectSize) is { } size && (long)size is >= 0 and < 1L << 40 ? (long)size : 0;

    private string Length(ulong value, string kind) => (kind switch
    {
        "dict" => Word(value + Head + (_layout.Major == 2 ? 8UL : 0)), // ma_used, after 2.7's ma_fill
        "set" or "frozenset" => Word(value + Head + 8), // used, after fill
        _ => Word(value + _layout.ObjectSize),
    }) is { } length ? ((long)length).ToString(CultureInfo.InvariantCulture) : "?";

    private string? Long(ulong value)
    {
        long digits;
        int sign;
        if (_layout.LongTag is { } tagAt)
        {
            if (Word(value + tagAt) is not { } tag)
                return null;
            (digits, sign) = ((long)(tag >> 3), (tag & 3) switch { 0 => 1, 1 => 0, _ => -1 });
        }
        else
        {
            if (Word(value + _layout.ObjectSize) is not { } size)
                return null;
            digits = Math.Abs((long)size);
            sign = Math.Sign((long)size);
        }
        if (digits > MaxDigits)
            return $"<int of {digits * 30} bits>";
        var bytes = new byte[digits * 4];
        if (!memory.TryRead(value + _layout.LongDigits, bytes))
            return null;
        var number = BigInteger.Zero;
        for (var i = (int)digits - 1; i >= 0; i--)
            number = (number << 30) + (BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(i * 4)) & 0x3fffffff);
        return (sign < 0 ? -number : number).ToString(CultureInfo.InvariantCulture);
    }

    private string? Float(ulong value)
    {
        Span<byte> bytes = stackalloc byte[8];
        return memory.TryRead(value + _layout.FloatValue, bytes)
            ? BinaryPrimitives.ReadDoubleLittleEndian(bytes).ToString("R", CultureInfo.InvariantCulture)
            : null;
    }

    private string? Text(ulong value)
    {
        if (_layout.LegacyUnicodeBuffer is { } bufferAt)
        {
            var length = Math.Min(Size(value), MaxText);
            var width = _layout.LegacyUnicodeWidth;
            var chars = new byte[length * width];
            if (RemotePointer.At(memory, value + bufferAt) is not { } buffer || !memory.TryRead(buffer, chars))
                return null;
            return "u" + Repr(width == 4 ? Encoding.UTF32.GetString(chars) : Encoding.Unicode.GetString(chars), Size(value) > MaxText);
        }
        return RemoteText.Read(memory, value, _layout, MaxText, out var truncated) is { } text ? Repr(text, truncated) : null;
    }

    private string? Bytes(ulong value)
    {
        var length = Size(value);
        var bytes = new byte[Math.Min(length, MaxText)];
        if (!memory.TryRead(value + _layout.BytesData, bytes))
            return null;
        return (_layout.Major == 2 ? "" : "b") + Repr(Encoding.Latin1.GetString(bytes), length > MaxText);
    }

    private string Opaque(ulong value, ulong type)
    {
        // tp_name is a char *, so it need not be aligned like an object pointer.
        var name = Word(type + _layout.TypeName) is { } at and > 0 and < 1UL << 47 ? CString(at) : null;
        return $"<{name ?? "object"} at 0x{value:x}>";
    }

    private string? CString(ulong address)
    {
        var bytes = new byte[128];
        var read = memory.Read(address, bytes);
        var end = Array.IndexOf(bytes, (byte)0, 0, read);
        return end > 0 ? Encoding.UTF8.GetString(bytes, 0, end) : null;
    }

    private ulong? Word(ulong address) => RemotePointer.Word(memory, address);

    /// <summary>Python's repr of a str, in single quotes, with the escapes it uses; "..." after a truncated one.</summary>
    private static string Repr(string text, bool truncated)
    {
        var repr = new StringBuilder("'");
        foreach (var c in text)
        {
            repr.Append(c switch
            {
                '\\' => "\\\\",
                '\'' => "\\'",
                '\n' => "\\n",
                '\r' => "\\r",
                '\t' => "\\t",
                < ' ' or '\x7f' => $"\\x{(int)c:x2}",
                _ => c.ToString(),
            });
        }
        return repr.Append('\'').Append(truncated ? "..." : "").ToString();
    }
}
