using Host.Plugins.Profile;

namespace Host.Tests.Unit.Plugins;

/// <summary>The protobuf writer pprof's format is built on, byte for byte against the examples of protobuf's own encoding guide.</summary>
public sealed class ProtobufWriterTests
{
    [Fact]
    public void A_varint_field_is_its_key_then_seven_bits_a_byte_lowest_first()
    {
        Assert.Equal("08 96 01", Hex(w => w.Int64(1, 150)));
        Assert.Equal("08 96 01", Hex(w => w.UInt64(1, 150)));
        // A negative int64 is its two's complement: all ten bytes.
        Assert.Equal("08 FF FF FF FF FF FF FF FF FF 01", Hex(w => w.Int64(1, -1)));
        Assert.Equal("F8 01 01", Hex(w => w.Int64(31, 1)));
    }

    [Fact]
    public void A_zero_is_left_out_as_proto3_does_but_a_repeated_string_is_written_even_empty()
    {
        Assert.Equal("", Hex(w => w.Int64(1, 0)));
        Assert.Equal("", Hex(w => w.UInt64(1, 0)));
        Assert.Equal("", Hex(w => w.Packed(4, [])));
        Assert.Equal("32 00", Hex(w => w.String(6, "")));
    }

    [Fact]
    public void Strings_messages_and_packed_values_come_after_their_length()
    {
        Assert.Equal("12 07 74 65 73 74 69 6E 67", Hex(w => w.String(2, "testing")));
        Assert.Equal("12 02 C3 A9", Hex(w => w.String(2, "é")));
        var inner = new ProtobufWriter();
        inner.Int64(1, 150);
        Assert.Equal("1A 03 08 96 01", Hex(w => w.Message(3, inner)));
        Assert.Equal("22 06 03 8E 02 9E A7 05", Hex(w => w.Packed(4, [3, 270, 86942])));
    }

    private static string Hex(Action<ProtobufWriter> write)
    {
        var writer = new ProtobufWriter();
        write(writer);
        return string.Join(' ', writer.ToArray().Select(b => b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture)));
    }
}
