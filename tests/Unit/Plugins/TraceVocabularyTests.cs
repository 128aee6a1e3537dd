using System.Buffers.Binary;
using System.Text.Json;
using System.Text.RegularExpressions;
using Host.Plugins.Settrace;
using Host.Tests.Support;

namespace Host.Tests.Unit.Plugins;

/// <summary>
/// settrace's agent, payload and host share native/trace_vocabulary.def (the agent checks its
/// struct record against it when it compiles): these hold the host's and the payload's readings to it.
/// </summary>
public sealed partial class TraceVocabularyTests
{
    private static readonly string DefinitionPath = Path.Combine(RepoPaths.Root, "native", "trace_vocabulary.def");

    [GeneratedRegex("^(TRACE_[A-Z_]+)\\((.*)\\)$")]
    private static partial Regex Entry();

    private static List<string[]> Entries(string macro) =>
    [
        .. File.ReadAllLines(DefinitionPath)
            .Select(line => Entry().Match(line))
            .Where(match => match.Success && match.Groups[1].Value == macro)
            .Select(match => match.Groups[2].Value.Split(',').Select(part => part.Trim().Trim('"')).ToArray()),
    ];

    private static string Pascal(string name) =>
        string.Concat(name.Split('_').Select(word => word[..1].ToUpperInvariant() + word[1..].ToLowerInvariant()));

    [Fact]
    public void Trace_kinds_are_the_files()
    {
        var expected = Entries("TRACE_KIND").Select(kind => (Pascal(kind[0]), int.Parse(kind[1], System.Globalization.CultureInfo.InvariantCulture))).ToList();

        Assert.Equal(expected, Enum.GetValues<TraceKind>().Select(kind => (kind.ToString(), (int)kind)).ToList());
        Assert.Equal(Entries("TRACE_KIND").Select(kind => kind[2]), Enum.GetValues<TraceKind>().Select(TraceVocabulary.EventName));
        Assert.Equal(["call", "return", "exception"], TraceVocabulary.EventNames);
    }

    [Fact]
    public void Records_are_read_by_the_files_layout()
    {
        var fields = Entries("TRACE_RECORD_FIELD").ToDictionary(field => field[0], field => (Offset: int.Parse(field[1], System.Globalization.CultureInfo.InvariantCulture), Size: int.Parse(field[2], System.Globalization.CultureInfo.InvariantCulture)));
        Assert.Equal(TraceRecord.Size, int.Parse(Entries("TRACE_RECORD_SIZE").Single()[0], System.Globalization.CultureInfo.InvariantCulture));
        // The reader's types are as wide as the fields.
        Assert.Equal((8, 4, 4, 4, 2, 1), (fields["time_ns"].Size, fields["code"].Size, fields["extra"].Size, fields["depth"].Size, fields["thread"].Size, fields["kind"].Size));

        var bytes = new byte[TraceRecord.Size];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(fields["time_ns"].Offset), 123456789);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(fields["code"].Offset), 7);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(fields["extra"].Offset), 9);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(fields["depth"].Offset), 2);
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(fields["thread"].Offset), 3);
        bytes[fields["kind"].Offset] = 4;
        bytes[fields["session"].Offset] = 0xEE;

        Assert.Equal(new TraceRecord(123456789, 7, 9, 2, 3, TraceKind.Unwind), TraceRecord.Decode(bytes).Single());
    }

    [Fact]
    public void The_payload_takes_its_kinds_and_modes_from_the_file()
    {
        var read = PayloadReading();

        foreach (var kind in Entries("TRACE_KIND"))
            Assert.Equal(int.Parse(kind[1], System.Globalization.CultureInfo.InvariantCulture), read.GetProperty("KIND_" + kind[0]).GetInt32());
        foreach (var mode in Entries("TRACE_MODE"))
        {
            Assert.Equal(int.Parse(mode[1], System.Globalization.CultureInfo.InvariantCulture), read.GetProperty("MODE_" + mode[0]).GetInt32());
            Assert.Equal(mode[2], read.GetProperty("MODE_LABELS").GetProperty(mode[1]).GetString());
        }
        Assert.Equal(TraceRecord.Size, read.GetProperty("RECORD_SIZE").GetInt32());
        // Each --events name selects the kinds the file puts under it: "return" is RETURN and UNWIND.
        foreach (var name in TraceVocabulary.EventNames)
        {
            var mask = Entries("TRACE_KIND").Where(kind => kind[2] == name).Aggregate(0, (bits, kind) => bits | 1 << int.Parse(kind[1], System.Globalization.CultureInfo.InvariantCulture));
            Assert.Equal(mask, read.GetProperty("masks").GetProperty(name).GetInt32());
        }
    }

    /// <summary>
    /// settrace_names.py as the plugin ships it, run by python3 with the parameters the host gives it
    /// (and stand-ins for what the prelude defines): its KIND_*, MODE_* and --events masks.
    /// </summary>
    private static JsonElement PayloadReading()
    {
        // Lists as TraceRequest.From makes them: the payload's parameters are serialized by their runtime types.
        var parameters = new TraceRequest(new List<string> { "call" }, new List<string>(), new List<string>(), false, null, null, null, false, false, false).ToParameters("channel", "control");
        using var stream = typeof(TraceRecord).Assembly.GetManifestResourceStream("settrace_names.py")!;
        using var reader = new StreamReader(stream);
        var source = reader.ReadToEnd();
        const string Script = """
            import json, sys
            data = json.loads(sys.stdin.read())
            space = {"PARAMS": data["params"], "IMPORTS_DONE": lambda: None, "SWITCH_INTERVAL": None, "__file__": "payload"}
            exec(compile(data["source"], "settrace_names.py", "exec"), space)
            found = dict((name, value) for name, value in space.items() if name.startswith(("KIND_", "MODE_")) or name == "RECORD_SIZE")
            found["MODE_LABELS"] = dict((str(number), label) for number, label in space["MODE_LABELS"].items())
            found["masks"] = dict((name, space["kinds_mask"]([name])) for name in data["events"])
            print(json.dumps(found))
            """;
        var input = JsonSerializer.Serialize(new Dictionary<string, object> { ["params"] = JsonDocument.Parse(parameters).RootElement, ["source"] = source, ["events"] = TraceVocabulary.EventNames });
        var output = ShortProgram.Output("/usr/bin/python3", ["-c", Script], input);
        return JsonDocument.Parse(output).RootElement.Clone();
    }
}
