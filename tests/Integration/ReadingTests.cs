using Host.Linux;
using Host.Processes;
using Host.Reading;
using Host.Tests.Support;

namespace Host.Tests.Integration;

/// <summary>
/// The first steps of reading a target from outside, on every interpreter: finding _PyRuntime,
/// and on 3.13+ the header of the _Py_DebugOffsets table it starts with. Nothing is run in the target.
/// </summary>
public sealed class ReadingTests
{
    [Theory]
    [MemberData(nameof(Interpreters.Labels), MemberType = typeof(Interpreters))]
    public async Task The_runtime_is_found_from_outside_and_on_3_13_and_later_says_its_version(string python)
    {
        await using var target = await PythonTarget.StartAsync(Interpreters.Get(python), "threads_target.py");
        var process = TargetInspector.Inspect(target.Pid);
        var version = target.Interpreter.Version;

        var runtime = RuntimeLocator.Find(process);

        if (version < new Version(3, 7))
        {
            // 2.7 and 3.6 have no _PyRuntime: their interpreters hang off a static variable.
            Assert.Null(runtime);
        }
        else
        {
            Assert.NotNull(runtime);
            using var memory = new ProcessMemory(target.Pid);
            var header = DebugOffsetsHeader.Read(memory, runtime.Value);
            if (version < new Version(3, 13))
            {
                Assert.Null(header);
            }
            else
            {
                Assert.NotNull(header);
                Assert.Equal((version.Major, version.Minor, version.Build), (header.Major, header.Minor, header.Micro));
                Assert.Equal(target.Interpreter.IsFreeThreaded, header.FreeThreaded);
            }
        }
        target.AssertRunningFreely();
        await target.AssertUnharmedAsync();
    }

    [Theory]
    [MemberData(nameof(Interpreters.Labels), MemberType = typeof(Interpreters))]
    public async Task On_3_13_and_later_the_threads_read_from_outside_are_those_the_injected_dump_shows(string python)
    {
        await using var target = await PythonTarget.StartAsync(Interpreters.Get(python), "threads_target.py");
        var process = TargetInspector.Inspect(target.Pid);
        var runtime = RuntimeLocator.Find(process);
        using var memory = new ProcessMemory(target.Pid);
        var offsets = runtime is null ? null : DebugOffsets.Read(memory, runtime.Value);
        if (target.Interpreter.Version < new Version(3, 13))
        {
            // Older versions have no table in the target: the reader needs a layout of its own for them.
            Assert.Null(offsets);
            return;
        }
        Assert.NotNull(offsets);

        var outside = OutsideThreads.Read(memory, runtime!.Value, offsets);
        var dump = await HostRun.RunAsync("run", "stackdump", "-p", target.Pid.ToString(), "--format", "json");

        Assert.True(dump.ExitCode == 0, dump.ToString());
        using var json = System.Text.Json.JsonDocument.Parse(dump.Stdout);
        var injected = json.RootElement.GetProperty("threads").EnumerateArray()
            .Select(t => (Ident: t.GetProperty("ident").GetUInt64(), NativeId: t.GetProperty("native_id").GetInt64())).Order().ToList();
        Assert.True(injected.Count >= 3, dump.Stdout);
        Assert.Equal(injected, outside.Select(t => (t.Ident, t.NativeId)).Order().ToList());
        target.AssertRunningFreely();
        await target.AssertUnharmedAsync();
    }

    [Theory]
    [MemberData(nameof(Interpreters.DebugOffsetsLabels), MemberType = typeof(Interpreters))]
    public async Task On_3_13_and_later_the_frames_read_from_outside_are_those_the_injected_dump_shows(string python)
    {
        await using var target = await PythonTarget.StartAsync(Interpreters.Get(python), "threads_target.py");
        var process = TargetInspector.Inspect(target.Pid);
        var runtime = RuntimeLocator.Find(process)!.Value;
        var codeType = MappedSymbols.Address(target.Pid, process.Libpython ?? process.Executable, "PyCode_Type")!.Value;
        using var memory = new ProcessMemory(target.Pid);
        var offsets = DebugOffsets.Read(memory, runtime)!;
        Dictionary<ulong, List<(string, string)>> Read() => OutsideThreads.Read(memory, runtime, offsets).ToDictionary(
            t => t.Ident,
            t => OutsideStacks.Read(memory, t, offsets, codeType).Select(f => (f.File, f.Function)).Reverse().ToList());

        var before = Read();
        var dump = await HostRun.RunAsync("run", "stackdump", "-p", target.Pid.ToString(), "--format", "json");
        var after = Read();

        Assert.True(dump.ExitCode == 0, dump.ToString());
        using var json = System.Text.Json.JsonDocument.Parse(dump.Stdout);
        var compared = 0;
        foreach (var thread in json.RootElement.GetProperty("threads").EnumerateArray())
        {
            var ident = thread.GetProperty("ident").GetUInt64();
            // A thread that moved between the reads (its loop woke up) cannot be compared.
            if (!before.TryGetValue(ident, out var first) || !after.TryGetValue(ident, out var second) || !first.SequenceEqual(second))
                continue;
            var injected = thread.GetProperty("frames").EnumerateArray()
                .Select(f => (f.GetProperty("file").GetString()!, f.GetProperty("function").GetString()!)).ToList();
            Assert.Equal(injected, first);
            Assert.NotEmpty(first);
            compared++;
        }
        Assert.True(compared >= 2, $"only {compared} threads held still long enough to compare:\n{dump.Stdout}");
        target.AssertRunningFreely();
        await target.AssertUnharmedAsync();
    }
}
