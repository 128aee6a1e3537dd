using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Host.Tests.Support;

namespace Host.Tests.Integration;

/// <summary>
/// `host run profile -o` in speedscope's and pprof's formats, on a real target, read by those
/// tools' own readers (./test installs them): speedscope's schema, and `go tool pprof`. The fixture's
/// functions are there, in its file, and the counts add up to the samples host says it took.
/// </summary>
public sealed class ProfileFormatTests : IDisposable
{
    private static readonly string[] FixtureFunctions = ["work", "share_a", "share_b", "share_c", "spin"];

    private readonly string _folder = Directory.CreateTempSubdirectory("host-profile-formats-").FullName;

    [Fact]
    public async Task Speedscope_output_follows_speedscopes_schema_and_weighs_the_fixtures_functions()
    {
        var (root, samples) = await ProfileSpeedscopeAsync();

        var frames = Frames(root);
        foreach (var function in FixtureFunctions)
            Assert.Contains(frames, f => f.Name == function && f.File == RepoPaths.Fixture("cpu_split.py"));
        // Functions, not lines: each is one frame, and a line given is where the function starts.
        Assert.Equal(frames.Count, frames.Select(f => (f.Name, f.File)).Distinct().Count());
        Assert.All(frames.Where(f => f.File == RepoPaths.Fixture("cpu_split.py") && f.Line is not null), f => Assert.Equal(FirstLine(f.Name), f.Line));
        var profile = Assert.Single(root["profiles"]!.AsArray())!;
        Assert.StartsWith("process ", (string)profile["name"]!);
        // Only the worker is busy (the others are asleep, left out): a thread-stack per sample.
        Assert.Equal(samples, profile["weights"]!.AsArray().Sum(w => (long)w!));
        Assert.StartsWith("host ", (string)root["exporter"]!);
    }

    [Fact]
    public async Task Speedscope_frames_point_to_the_line_each_function_starts_on()
    {
        var (root, _) = await ProfileSpeedscopeAsync();

        var frames = Frames(root);
        foreach (var function in FixtureFunctions)
            Assert.Contains(frames, f => f.Name == function && f.File == RepoPaths.Fixture("cpu_split.py") && f.Line == FirstLine(function));
    }

    [Fact]
    public async Task With_threads_each_thread_is_a_speedscope_profile_and_a_pprof_label()
    {
        var (root, samples) = await ProfileSpeedscopeAsync("--threads", "--idle");

        var profiles = root["profiles"]!.AsArray().Select(p => ((string)p!["name"]!, p["weights"]!.AsArray().Sum(w => (long)w!))).ToList();
        foreach (var thread in new[] { "MainThread", "worker", "idler" })
        {
            // With --idle every thread is counted in (nearly) every sample.
            var (_, weight) = Assert.Single(profiles, p => p.Item1.StartsWith($"thread {thread} (", StringComparison.Ordinal));
            Assert.InRange(weight, samples * 9 / 10, samples);
        }
        var index = (int)root["activeProfileIndex"]!;
        Assert.InRange(index, 0, profiles.Count - 1);

        var (file, _) = await ProfilePprofAsync("--threads");
        Assert.Matches(@"thread:\s+thread worker \(\d+\)", await FormatTools.PprofAsync("-traces", file));
        var worker = await FormatTools.PprofAsync("-top", "-tagfocus=thread=worker", file);
        Assert.Contains("share_c", worker);
        // The idler's function is not among the worker's (the comments above the table may name idle threads).
        Assert.DoesNotMatch(@"\sidle\n", worker);
    }

    [Fact]
    public async Task Pprof_output_reads_in_go_tool_pprof_with_the_fixtures_functions_and_totals()
    {
        var (file, samples) = await ProfilePprofAsync();

        var top = await FormatTools.PprofAsync("-top", "-nodecount=50", file);
        Assert.Contains("Type: wall", top);
        foreach (var function in FixtureFunctions)
            Assert.Matches($@"\s{function}\n", top);
        Assert.Matches(@"Duration: 2(\.\d+)?s", top);
        var counted = await FormatTools.PprofAsync("-top", "-sample_index=samples", file);
        Assert.Contains($"Total samples = {samples} ", counted);

        var raw = await FormatTools.PprofAsync("-raw", file);
        Assert.Contains("samples/count wall/nanoseconds", raw);
        Assert.Contains("PeriodType: wall nanoseconds", raw);
        var period = long.Parse(Regex.Match(raw, @"Period: (\d+)").Groups[1].Value, CultureInfo.InvariantCulture);
        // 100 Hz asked; the period is the interval achieved, close to it.
        Assert.InRange(period, 8_000_000, 12_500_000);
        var values = Regex.Matches(raw, @"^\s+(\d+)\s+(\d+):", RegexOptions.Multiline)
            .Select(m => (Count: long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture), Wall: long.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture))).ToList();
        Assert.Equal(samples, values.Sum(v => v.Count));
        Assert.All(values, v => Assert.Equal(v.Count * period, v.Wall));
        // Locations keep lines: share_c at a line inside it, in the fixture's file.
        Assert.Matches($@"share_c {Regex.Escape(RepoPaths.Fixture("cpu_split.py"))}:\d+", raw);

        var traces = await FormatTools.PprofAsync("-traces", file);
        Assert.Matches(@"spin\s+share_c\s+work", traces);
    }

    /// <summary>Profiles cpu_split.py for 2 s into a speedscope file: the file, checked against speedscope's schema, and the samples host said it took.</summary>
    private async Task<(JsonNode Root, long Samples)> ProfileSpeedscopeAsync(params string[] options)
    {
        var (file, samples) = await ProfileAsync("out.speedscope.json", options);
        var text = await File.ReadAllTextAsync(file);
        var errors = FormatTools.SpeedscopeSchemaErrors(text);
        Assert.True(errors.Count == 0, string.Join('\n', errors.Take(20)));
        return (JsonNode.Parse(text)!, samples);
    }

    private Task<(string File, long Samples)> ProfilePprofAsync(params string[] options) => ProfileAsync("out.pb.gz", options);

    /// <summary>`host run profile -o NAME` on cpu_split.py for 2 s, the format chosen by the name; the target is checked unharmed after.</summary>
    private async Task<(string File, long Samples)> ProfileAsync(string name, string[] options)
    {
        await using var target = await PythonTarget.StartAsync(Interpreters.Default, "cpu_split.py");
        var file = Path.Combine(_folder, name);

        var result = await HostRun.RunAsync(["run", "profile", "-p", target.Pid.ToString(CultureInfo.InvariantCulture), "--duration", "2", "-o", file, .. options]);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.True(File.Exists(file), $"no {file}\n{result}");
        var samples = long.Parse(Regex.Match(result.Stderr, @"profile: (\d+) samples in").Groups[1].Value, CultureInfo.InvariantCulture);
        Assert.True(samples >= 100, result.ToString());
        target.AssertRunningFreely();
        await target.AssertUnharmedAsync();
        return (file, samples);
    }

    private sealed record Frame(string Name, string? File, int? Line);

    private static List<Frame> Frames(JsonNode root) =>
        root["shared"]!["frames"]!.AsArray().Select(f => new Frame((string)f!["name"]!, (string?)f["file"], (int?)f["line"])).ToList();

    /// <summary>The line `def NAME(` is on in the fixture.</summary>
    private static int FirstLine(string function) =>
        Array.FindIndex(File.ReadAllLines(RepoPaths.Fixture("cpu_split.py")), l => l.StartsWith($"def {function}(", StringComparison.Ordinal)) + 1;

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
