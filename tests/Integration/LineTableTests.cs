using System.Text.Json;
using Host.Reading;
using Host.Reading.Layouts;
using Host.Tests.Support;

namespace Host.Tests.Integration;

/// <summary>
/// The reader's line tables against each interpreter's own: for every bytecode offset of sample
/// functions, the line LineTable computes from the table's bytes is the line the interpreter
/// itself gives (co_lines on 3.10+, dis.findlinestarts before).
/// </summary>
public sealed class LineTableTests
{
    [Theory]
    [MemberData(nameof(Interpreters.Labels), MemberType = typeof(Interpreters))]
    public void Every_offset_gets_the_line_the_interpreter_itself_gives(string python)
    {
        var interpreter = Interpreters.Get(python);
        var command = interpreter.Command(["-"]);
        var output = ShortProgram.Output(command[0], command.Skip(1).ToList(), File.ReadAllText(RepoPaths.Fixture("line_tables.py")));
        var version = interpreter.Version;
        var format = KnownLayouts.For(version.Major, version.Minor)?.LineTable ?? LineTableFormat.Locations;

        using var json = JsonDocument.Parse(output);
        var checkedOffsets = 0;
        foreach (var code in json.RootElement.EnumerateArray())
        {
            var table = Convert.FromHexString(code.GetProperty("table").GetString()!);
            var first = code.GetProperty("first").GetInt32();
            foreach (var pair in code.GetProperty("expected").EnumerateArray())
            {
                var offset = pair[0].GetInt32();
                int? expected = pair[1].ValueKind == JsonValueKind.Number ? pair[1].GetInt32() : null;
                Assert.True(expected == LineTable.Line(table, format, first, offset), $"offset {offset}: expected line {expected}, got {LineTable.Line(table, format, first, offset)}");
                checkedOffsets++;
            }
        }
        Assert.True(checkedOffsets > 40, output);
    }
}
