using Host.Reading.Layouts;

namespace Host.Reading;

/// <summary>
/// The line a code object's instruction is on, from its line table as each version writes it
/// (CPython's Objects/lnotab_notes.txt and Objects/locations.md): a pure function of the table's
/// bytes, so a torn or hostile table gives a wrong line or none, never an exception or a loop.
/// </summary>
internal static class LineTable
{
    /// <summary>The line, or null where the table says the instruction has none.</summary>
    /// <param name="offset">The instruction's offset in bytes from the start of the bytecode; negative before the first.</param>
    public static int? Line(ReadOnlySpan<byte> table, LineTableFormat format, int firstLine, int offset)
    {
        if (offset < 0)
            return firstLine;
        return format switch
        {
            LineTableFormat.LnotabUnsigned => Lnotab(table, firstLine, offset, signed: false),
            LineTableFormat.Lnotab => Lnotab(table, firstLine, offset, signed: true),
            LineTableFormat.Python310 => Python310(table, firstLine, offset),
            _ => Locations(table, firstLine, offset),
        };
    }

    /// <summary>≤3.9: (address increment, line increment) byte pairs; the line is the last one whose address is not past the offset.</summary>
    private static int Lnotab(ReadOnlySpan<byte> table, int firstLine, int offset, bool signed)
    {
        int line = firstLine, address = 0;
        for (var at = 0; at + 1 < table.Length; at += 2)
        {
            address += table[at];
            if (address > offset)
                break;
            line += signed ? (sbyte)table[at + 1] : table[at + 1];
        }
        return line;
    }

    /// <summary>3.10: (length in bytes, signed line delta) pairs, each a range of addresses; -128 marks a range with no line.</summary>
    private static int? Python310(ReadOnlySpan<byte> table, int firstLine, int offset)
    {
        int line = firstLine, end = 0;
        for (var at = 0; at + 1 < table.Length; at += 2)
        {
            var start = end;
            end += table[at];
            var delta = (sbyte)table[at + 1];
            if (delta != -128)
                line += delta;
            if (start <= offset && offset < end)
                return delta == -128 ? null : line;
        }
        return null;
    }

    /// <summary>
    /// 3.11+: entries that each cover 1–8 code units. The first byte has its top bit set, a code in
    /// bits 3–6 and the length less one in bits 0–2. Codes 0–9 are on the same line (one more byte),
    /// 10–12 one to three lines on (two more bytes), 13 a signed varint line delta with no columns,
    /// 14 the long form (that delta and three varints), 15 no location at all.
    /// </summary>
    private static int? Locations(ReadOnlySpan<byte> table, int firstLine, int offset)
    {
        int line = firstLine, end = 0, at = 0;
        var unit = offset / 2;
        while (at < table.Length)
        {
            var first = table[at];
            if ((first & 0x80) == 0)
                return null; // not at an entry's start: the table is torn
            int code = (first >> 3) & 15, start = end;
            end += (first & 7) + 1;
            var next = at + 1;
            line += code switch
            {
                13 or 14 => SignedVarint(table, ref next),
                >= 10 and <= 12 => code - 10,
                _ => 0,
            };
            // The entry's other bytes never have the top bit set; the next entry's first byte does.
            do
                at++;
            while (at < table.Length && (table[at] & 0x80) == 0);
            if (start <= unit && unit < end)
                return code == 15 ? null : line;
        }
        return null;
    }

    private static int Varint(ReadOnlySpan<byte> table, ref int at)
    {
        int value = 0, shift = 0;
        while (at < table.Length && shift < 30)
        {
            var b = table[at++];
            value |= (b & 63) << shift;
            shift += 6;
            if ((b & 64) == 0)
                break;
        }
        return value;
    }

    private static int SignedVarint(ReadOnlySpan<byte> table, ref int at)
    {
        var value = Varint(table, ref at);
        return (value & 1) != 0 ? -(value >> 1) : value >> 1;
    }
}
