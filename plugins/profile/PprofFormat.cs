using System.IO.Compression;

namespace Host.Plugins.Profile;

/// <summary>
/// pprof's profile (perftools.profiles.Profile in google/pprof's proto/profile.proto), gzipped, as
/// `go tool pprof`, Pyroscope and Grafana read it. A sample is a distinct stack with two values: the
/// thread-stacks it stands for, and the wall time they stand for. Functions are named by name, file
/// and first line; a location is a function at a line, since pprof keeps lines itself. Samples carry
/// the thread and process they were on as labels, when the profile is kept per thread or process.
/// </summary>
internal sealed class PprofFormat : ProfileFormat
{
    public override string Name => "pprof";

    public override IReadOnlyList<string> Extensions => [".pb.gz", ".pprof"];

    public override bool Binary => true;

    public override void Write(ProfileResult result, Stream output)
    {
        // profile.proto: "On-disk, the serialized proto must be gzip-compressed."
        using var gzip = new GZipStream(output, CompressionLevel.Optimal, leaveOpen: true);
        Encode(result).WriteTo(gzip);
    }

    /// <summary>The Profile message, not yet compressed.</summary>
    internal static ProtobufWriter Encode(ProfileResult result)
    {
        var strings = new StringTable();
        var profile = new ProtobufWriter();
        profile.Message(ProfileField.SampleType, ValueType(strings, "samples", "count"));
        profile.Message(ProfileField.SampleType, ValueType(strings, "wall", "nanoseconds"));

        var interval = IntervalNanoseconds(result);
        var functions = new Dictionary<(string Function, string File, int? FirstLine), ulong>();
        var locations = new Dictionary<(ulong Function, int Line), ulong>();
        var functionMessages = new List<ProtobufWriter>();
        var locationMessages = new List<ProtobufWriter>();

        ulong LocationOf(ProfileFrame frame)
        {
            if (!functions.TryGetValue((frame.Function, frame.File, frame.FirstLine), out var function))
            {
                functions[(frame.Function, frame.File, frame.FirstLine)] = function = (ulong)functions.Count + 1;
                var message = new ProtobufWriter();
                message.UInt64(FunctionField.Id, function);
                message.Int64(FunctionField.Name, strings[frame.Function]);
                message.Int64(FunctionField.SystemName, strings[frame.Function]);
                message.Int64(FunctionField.Filename, strings[frame.File]);
                message.Int64(FunctionField.StartLine, frame.FirstLine ?? 0);
                functionMessages.Add(message);
            }
            // Line 0 is pprof's "unknown".
            var line = frame.Line ?? 0;
            if (!locations.TryGetValue((function, line), out var location))
            {
                locations[(function, line)] = location = (ulong)locations.Count + 1;
                var lineMessage = new ProtobufWriter();
                lineMessage.UInt64(LineField.FunctionId, function);
                lineMessage.Int64(LineField.Line, line);
                var message = new ProtobufWriter();
                message.UInt64(LocationField.Id, location);
                message.UInt64(LocationField.MappingId, InterpreterMapping);
                message.Message(LocationField.Line, lineMessage);
                locationMessages.Add(message);
            }
            return location;
        }

        foreach (var stack in result.Counts.Stacks.OrderByDescending(s => s.Count))
        {
            var sample = new ProtobufWriter();
            // pprof's stacks run the other way: the leaf is location_id[0].
            sample.Packed(SampleField.LocationId, stack.Frames.Reverse().Select(f => (long)LocationOf(f)).ToList());
            sample.Packed(SampleField.Value, [stack.Count, stack.Count * interval]);
            if (stack.Thread is { } thread)
            {
                // The label as the other formats show it ("thread worker (1234)"), so -tagfocus=worker
                // finds it; the ident again as a number, since a name need not be unique.
                sample.Message(SampleField.Label, Label(strings, "thread", text: thread.Label));
                sample.Message(SampleField.Label, Label(strings, "thread_id", number: thread.Ident));
            }
            if (stack.Process is { } process)
                sample.Message(SampleField.Label, Label(strings, "pid", number: process.Pid));
            profile.Message(ProfileField.Sample, sample);
        }
        profile.Message(ProfileField.Mapping, Mapping(strings, result));
        foreach (var location in locationMessages)
            profile.Message(ProfileField.Location, location);
        foreach (var function in functionMessages)
            profile.Message(ProfileField.Function, function);

        // The profile is written as soon as sampling ends, so it started about Elapsed ago: close
        // enough for a time pprof shows to the second, without the sampler keeping a clock for it.
        profile.Int64(ProfileField.TimeNanos, (DateTimeOffset.UtcNow - result.Elapsed - DateTimeOffset.UnixEpoch).Ticks * NanosecondsPerTick);
        profile.Int64(ProfileField.DurationNanos, result.Elapsed.Ticks * NanosecondsPerTick);
        profile.Message(ProfileField.PeriodType, ValueType(strings, "wall", "nanoseconds"));
        profile.Int64(ProfileField.Period, interval);
        // How the sampling went, as `go tool pprof -comments` shows it.
        profile.Packed(ProfileField.Comment, [.. Summary.Closing(result).Prepend(Summary.Headline(result)).Select(c => strings[c])]);

        // Last, once every message has added its strings.
        foreach (var text in strings.Texts)
            profile.String(ProfileField.StringTable, text);
        return profile;
    }

    private const long NanosecondsPerTick = 1_000_000_000 / TimeSpan.TicksPerSecond;

    /// <summary>
    /// The wall time one sample stands for: the interval achieved rather than the one asked, so a
    /// thread sampled throughout adds up to the time sampled even when the sampler fell behind.
    /// </summary>
    private static long IntervalNanoseconds(ProfileResult result) =>
        (long)Math.Round(1e9 / (result.AchievedRate > 0 ? result.AchievedRate : result.Request.Rate));

    private const ulong InterpreterMapping = 1;

    /// <summary>
    /// The one mapping every location is in: the interpreter, marked as already symbolized (names,
    /// files and lines), so pprof neither looks for a binary to symbolize with nor warns that the
    /// main binary's name is missing.
    /// </summary>
    private static ProtobufWriter Mapping(StringTable strings, ProfileResult result)
    {
        var message = new ProtobufWriter();
        message.UInt64(MappingField.Id, InterpreterMapping);
        message.Int64(MappingField.Filename, strings[result.Process.Executable]);
        message.UInt64(MappingField.HasFunctions, 1);
        message.UInt64(MappingField.HasFilenames, 1);
        message.UInt64(MappingField.HasLineNumbers, 1);
        return message;
    }

    private static ProtobufWriter ValueType(StringTable strings, string type, string unit)
    {
        var message = new ProtobufWriter();
        message.Int64(ValueTypeField.Type, strings[type]);
        message.Int64(ValueTypeField.Unit, strings[unit]);
        return message;
    }

    private static ProtobufWriter Label(StringTable strings, string key, string? text = null, long? number = null)
    {
        var message = new ProtobufWriter();
        message.Int64(LabelField.Key, strings[key]);
        if (text is not null)
            message.Int64(LabelField.Str, strings[text]);
        if (number is { } value)
            message.Int64(LabelField.Num, value);
        return message;
    }

    /// <summary>profile.proto's string table: every string once, referred to by index; "" is always index 0.</summary>
    private sealed class StringTable
    {
        private readonly Dictionary<string, long> _indices = new(StringComparer.Ordinal) { [""] = 0 };

        public List<string> Texts { get; } = [""];

        public long this[string text]
        {
            get
            {
                if (!_indices.TryGetValue(text, out var index))
                {
                    _indices[text] = index = Texts.Count;
                    Texts.Add(text);
                }
                return index;
            }
        }
    }

    // Field numbers of profile.proto's messages, for the fields written here.
    private static class ProfileField
    {
        public const int SampleType = 1, Sample = 2, Mapping = 3, Location = 4, Function = 5, StringTable = 6;
        public const int TimeNanos = 9, DurationNanos = 10, PeriodType = 11, Period = 12, Comment = 13;
    }

    private static class ValueTypeField
    {
        public const int Type = 1, Unit = 2;
    }

    private static class SampleField
    {
        public const int LocationId = 1, Value = 2, Label = 3;
    }

    private static class LabelField
    {
        public const int Key = 1, Str = 2, Num = 3;
    }

    private static class MappingField
    {
        public const int Id = 1, Filename = 5, HasFunctions = 7, HasFilenames = 8, HasLineNumbers = 9;
    }

    private static class LocationField
    {
        public const int Id = 1, MappingId = 2, Line = 4;
    }

    private static class LineField
    {
        public const int FunctionId = 1, Line = 2;
    }

    private static class FunctionField
    {
        public const int Id = 1, Name = 2, SystemName = 3, Filename = 4, StartLine = 5;
    }
}
