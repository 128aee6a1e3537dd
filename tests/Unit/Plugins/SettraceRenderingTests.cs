using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using Host.Plugins.Settrace;

namespace Host.Tests.Unit.Plugins;

public sealed class SettraceRenderingTests
{
    private static readonly ulong Start = 1_000_000_000;

    [Fact]
    public void Records_are_decoded_as_the_agent_writes_them()
    {
        var bytes = Record(Start + 1500, code: 7, extra: 9, depth: 2, thread: 3, kind: 3)
            .Concat(Record(Start + 2500, code: 8, extra: 0, depth: 0, thread: 1, kind: 1)).ToArray();

        var records = TraceRecord.Decode(bytes).ToList();

        Assert.Equal([new TraceRecord(Start + 1500, 7, 9, 2, 3, TraceKind.Exception), new TraceRecord(Start + 2500, 8, 0, 0, 1, TraceKind.Call)], records);
    }

    [Fact]
    public void Text_lines_show_time_thread_depth_and_elapsed_time()
    {
        var names = Names();
        var assembler = new TraceAssembler(names, Start);
        var writer = new TextTraceWriter();
        var text = new StringBuilder();

        foreach (var record in new[]
                 {
                     new TraceRecord(Start + 1_000, 1, 0, 0, 1, TraceKind.Call),
                     new TraceRecord(Start + 2_000, 2, 0, 1, 1, TraceKind.Call),
                     new TraceRecord(Start + 3_000, 2, 5, 2, 1, TraceKind.Exception),
                     new TraceRecord(Start + 4_500, 2, 0, 1, 1, TraceKind.Unwind),
                     new TraceRecord(Start + 2_001_000, 1, 0, 0, 1, TraceKind.Return),
                 })
            writer.Write(assembler.Assemble(record), text);

        Assert.Equal(
            "    0.000001 worker          -> Shop.order (/srv/shop.py:4)\n" +
            "    0.000002 worker            -> Shop.fail (/srv/shop.py:8)\n" +
            "    0.000003 worker              !! KeyError in Shop.fail (/srv/shop.py:8)\n" +
            "    0.000005 worker            <- Shop.fail (exception)  2.5 us\n" +
            "    0.002001 worker          <- Shop.order  2.000 ms\n",
            text.ToString());
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(0.0000126)]
    [InlineData(1.2345675)]
    [InlineData(59.999999)]
    [InlineData(12345.000001)]
    [InlineData(123456.5)]
    public void Seconds_read_as_twelve_wide_fixed_point_with_six_decimals(double seconds)
    {
        var text = new StringBuilder();

        TextTraceWriter.AppendSeconds(seconds, text);

        Assert.Equal(seconds.ToString("F6", System.Globalization.CultureInfo.InvariantCulture).PadLeft(12), text.ToString());
    }

    [Fact]
    public void Json_lines_carry_the_same_facts()
    {
        var assembler = new TraceAssembler(Names(), Start);
        var text = new StringBuilder();

        new JsonTraceWriter().Write(assembler.Assemble(new TraceRecord(Start + 1_000, 1, 0, 0, 1, TraceKind.Call)), text);

        using var json = JsonDocument.Parse(text.ToString());
        var e = json.RootElement;
        Assert.Equal("call", e.GetProperty("event").GetString());
        Assert.Equal("worker", e.GetProperty("thread").GetString());
        Assert.Equal(77, e.GetProperty("native_id").GetInt64());
        Assert.Equal("Shop.order", e.GetProperty("function").GetString());
        Assert.Equal("shop", e.GetProperty("module").GetString());
        Assert.Equal(4, e.GetProperty("line").GetInt32());
        Assert.Equal(1e-6, e.GetProperty("time").GetDouble(), 9);
    }

    private static TraceNames Names()
    {
        var names = new TraceNames();
        Learn(names, """{"type":"code","id":1,"module":"shop","name":"Shop.order","file":"/srv/shop.py","line":4}""");
        Learn(names, """{"type":"code","id":2,"module":"shop","name":"Shop.fail","file":"/srv/shop.py","line":8}""");
        Learn(names, """{"type":"exception_type","id":5,"name":"KeyError"}""");
        Learn(names, """{"type":"thread","slot":1,"ident":1234,"native_id":77,"name":"worker","main":false}""");
        return names;
    }

    private static void Learn(TraceNames names, string json)
    {
        using var document = JsonDocument.Parse(json);
        Assert.True(names.Learn(document.RootElement.GetProperty("type").GetString()!, document.RootElement));
    }

    private static byte[] Record(ulong time, uint code, uint extra, uint depth, ushort thread, byte kind)
    {
        var bytes = new byte[TraceRecord.Size];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, time);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(8), code);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(12), extra);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(16), depth);
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(20), thread);
        bytes[22] = kind;
        return bytes;
    }
}
