using System.Text.RegularExpressions;
using Host.Plugins.Profile;
using Host.Tests.Support;
using static Host.Tests.Unit.Plugins.SampleProfiles;

namespace Host.Tests.Unit.Plugins;

/// <summary>
/// --format pprof on profiles made by hand, read back by `go tool pprof` itself (./test installs
/// it): the two sample types and their totals, locations per function and line, and the thread
/// and process labels that -tagfocus picks samples by.
/// </summary>
public sealed class PprofFormatTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("host-pprof-").FullName;

    [Fact]
    public async Task Pprof_reads_the_samples_and_their_wall_time()
    {
        var file = Write(Result(threads: true));

        var raw = await FormatTools.PprofAsync("-raw", file);

        Assert.Contains("samples/count wall/nanoseconds", raw);
        Assert.Contains("PeriodType: wall nanoseconds", raw);
        // 100 Hz: a sample stands for 10 ms.
        Assert.Contains("Period: 10000000", raw);
        var values = Regex.Matches(raw, @"^\s+(\d+)\s+(\d+):", RegexOptions.Multiline).Select(m => (long.Parse(m.Groups[1].Value), long.Parse(m.Groups[2].Value))).ToList();
        Assert.Equal([4L, 3L, 2L, 1L], values.Select(v => v.Item1));
        Assert.All(values, v => Assert.Equal(v.Item1 * 10_000_000, v.Item2));
        Assert.Contains("Comment: profile: 10 samples in 0.1 s", raw);
        var top = await FormatTools.PprofAsync("-top", "-sample_index=samples", file);
        Assert.Contains("Duration: 100ms, Total samples = 10 ", top);
    }

    [Fact]
    public async Task A_location_is_a_function_at_a_line_and_the_function_knows_its_first_line()
    {
        var file = Write(Result());

        var raw = await FormatTools.PprofAsync("-raw", file);

        Assert.Contains("Server.handle /app/app.py:12 s=10", raw);
        Assert.Contains("Server.handle /app/app.py:14 s=10", raw);
        Assert.Contains("main /app/app.py:30 s=28", raw);
        Assert.Contains("parse /app/lib.py:5 s=3", raw);
        // The leaf comes first in pprof: parse is at the top of the main thread's stack.
        var traces = await FormatTools.PprofAsync("-traces", file);
        Assert.Matches(@"40ms\s+parse\s+Server\.handle\s+main", traces);
    }

    [Fact]
    public async Task Each_sample_carries_its_thread_and_process_as_labels()
    {
        var file = Write(Result(threads: true, processes: true));

        var raw = await FormatTools.PprofAsync("-raw", file);
        Assert.Contains("thread:[thread worker (1002)]", raw);
        Assert.Contains("thread:[thread 1003]", raw);
        Assert.Contains("pid:[4300] thread_id:[1003]", raw);
        var traces = await FormatTools.PprofAsync("-traces", file);
        Assert.Matches(@"thread:\s+thread worker \(1002\)\s+pid:\s+4242\s+thread_id:\s+1002\s+30ms\s+Server\.handle\s+main", traces);
        // -tagfocus picks the worker's samples by its name: its 3 of the 10.
        var worker = await FormatTools.PprofAsync("-top", "-sample_index=samples", "-tagfocus=thread=worker", file);
        Assert.Contains("accounting for 3, 30.00% of 10 total", worker);
        var child = await FormatTools.PprofAsync("-top", "-sample_index=samples", "-tagfocus=pid=4300", file);
        Assert.Contains("accounting for 2, 20.00% of 10 total", child);
    }

    [Fact]
    public void The_profile_is_gzipped_as_profile_proto_asks()
    {
        var bytes = SampleProfiles.Written(new PprofFormat(), Result());

        Assert.Equal([0x1f, 0x8b], bytes.Take(2));
        Assert.True(new PprofFormat().Binary);
    }

    private string Write(Host.Plugins.Profile.ProfileResult result)
    {
        var file = Path.Combine(_folder, "profile.pb.gz");
        File.WriteAllBytes(file, SampleProfiles.Written(new PprofFormat(), result));
        return file;
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
