namespace Host.Plugins.Profile;

/// <summary>
/// The protocol buffers wire format, for the few kinds of field pprof's profile.proto uses:
/// varints (int64, uint64), strings, nested messages and packed repeated varints. A message
/// is built in its own writer and then written into its parent, which needs its length first.
/// Small enough to write here rather than take a protobuf library for one format.
/// </summary>
internal sealed class ProtobufWriter
{
    // The low three bits of a field's key say how its value is laid out.
    private const int VarintWireType = 0;
    private const int LengthDelimitedWireType = 2;

    private readonly MemoryStream _bytes = new();

    /// <summary>An int64 field. proto3 leaves a field at its default (0) out, and so does this.</summary>
    public void Int64(int field, long value)
    {
        if (value != 0)
            UInt64(field, unchecked((ulong)value));
    }

    /// <summary>A uint64 field; 0 is left out.</summary>
    public void UInt64(int field, ulong value)
    {
        if (value == 0)
            return;
        Key(field, VarintWireType);
        Varint(value);
    }

    /// <summary>A string field, written even when empty: an entry of a repeated string (a string table's first, "") counts.</summary>
    public void String(int field, string value)
    {
        var bytes = System.Text.Encoding.UTF8.GetBytes(value);
        Key(field, LengthDelimitedWireType);
        Varint((ulong)bytes.Length);
        _bytes.Write(bytes);
    }

    /// <summary>A message field: <paramref name="message"/>'s bytes, after their length. Written even when empty, as an entry of a repeated field.</summary>
    public void Message(int field, ProtobufWriter message)
    {
        Key(field, LengthDelimitedWireType);
        Varint((ulong)message._bytes.Length);
        message._bytes.Position = 0;
        message._bytes.CopyTo(_bytes);
    }

    /// <summary>A repeated int64 or uint64 field, packed (proto3's default): one length, then the varints; left out when empty.</summary>
    public void Packed(int field, IEnumerable<long> values)
    {
        var packed = new ProtobufWriter();
        foreach (var value in values)
            packed.Varint(unchecked((ulong)value));
        if (packed._bytes.Length == 0)
            return;
        Message(field, packed);
    }

    public void WriteTo(Stream output)
    {
        _bytes.Position = 0;
        _bytes.CopyTo(output);
    }

    public byte[] ToArray() => _bytes.ToArray();

    private void Key(int field, int wireType) => Varint(((ulong)field << 3) | (uint)wireType);

    /// <summary>Seven bits a byte, lowest first; the high bit says more follow. A negative int64 takes all ten bytes.</summary>
    private void Varint(ulong value)
    {
        while (value >= 0x80)
        {
            _bytes.WriteByte((byte)(value | 0x80));
            value >>= 7;
        }
        _bytes.WriteByte((byte)value);
    }
}
