using System.Text.Json;
using Host.Tests.Support;

namespace Host.Tests.Integration;

/// <summary>`host run stackdump` against real processes, on every CPython found on the machine.</summary>
public sealed class StackdumpTests
{
    [Theory]
    [MemberData(nameof(Interpreters.Labels), MemberType = typeof(Interpreters))]
    public Task Stackdump_shows_every_thread_with_its_name_and_source(string python) =>
        AssertEveryThreadShownAsync(python, environment: null);

    // The quick ptrace path is the default; gdb is its fallback and must keep working on its own.
    [Theory]
    [MemberData(nameof(Interpreters.Labels), MemberType = typeof(Interpreters))]
    public Task Stackdump_through_the_gdb_fallback_shows_every_thread(string python) =>
        AssertEveryThreadShownAsync(python, new Dictionary<string, string?> { ["HOST_INJECTOR"] = "gdb" });

    private static async Task AssertEveryThreadShownAsync(string python, IReadOnlyDictionary<string, string?>? environment)
    {
        await using var target = await PythonTarget.StartAsync(Interpreters.Get(python), "threads_target.py");

        var result = await HostRun.RunAsync(["run", "stackdump", "--pid", target.Pid.ToString()], environment: environment);

        Assert.True(result.ExitCode == 0, result.ToString());
        var text = result.Stdout;
        Assert.Contains($"Process {target.Pid}: Python {target.Interpreter.VersionText} (", text);
        Assert.Contains("\"MainThread\" (main thread", text);
        Assert.Contains("\"sleeper\" (daemon", text);
        Assert.Contains("\"waiter\" (daemon", text);
        Assert.Contains("in sleeping_worker", text);
        Assert.Contains("    time.sleep(interval)", text);
        Assert.Contains("in waiting_worker", text);
        Assert.Contains("in main_loop", text);
        Assert.Contains("    line = sys.stdin.readline()", text);
        Assert.Contains(", 3 threads", text);
        result.AssertNoFilesLeft();
        target.AssertRunningFreely();
        await target.AssertUnharmedAsync();
    }

    [Theory]
    [MemberData(nameof(Interpreters.Labels), MemberType = typeof(Interpreters))]
    public async Task Stackdump_json_lists_frames_outermost_first_with_safe_locals(string python)
    {
        await using var target = await PythonTarget.StartAsync(Interpreters.Get(python), "threads_target.py");

        var result = await HostRun.RunAsync("run", "stackdump", "-p", target.Pid.ToString(), "--format", "json", "--locals");

        Assert.True(result.ExitCode == 0, result.ToString());
        using var json = JsonDocument.Parse(result.Stdout);
        var threads = json.RootElement.GetProperty("threads").EnumerateArray().ToList();
        Assert.Equal(3, threads.Count);
        Assert.Equal(target.Pid, json.RootElement.GetProperty("pid").GetInt32());
        var main = Assert.Single(threads, t => t.GetProperty("main").GetBoolean());
        Assert.Equal("MainThread", main.GetProperty("name").GetString());
        var sleeper = Assert.Single(threads, t => t.GetProperty("name").GetString() == "sleeper");
        Assert.True(sleeper.GetProperty("daemon").GetBoolean());
        if (target.Interpreter.HasNativeThreadIds)
            Assert.True(sleeper.GetProperty("native_id").GetInt64() > 0);
        var frames = sleeper.GetProperty("frames").EnumerateArray().ToList();
        var innermost = frames[^1];
        Assert.Equal("sleeping_worker", innermost.GetProperty("function").GetString());
        Assert.EndsWith("threads_target.py", innermost.GetProperty("file").GetString());
        Assert.Contains("bootstrap", frames[0].GetProperty("function").GetString());
        if (target.Interpreter.HasQualifiedNames)
            Assert.Equal("Thread._bootstrap", frames[0].GetProperty("function").GetString());
        var locals = innermost.GetProperty("locals").EnumerateArray()
            .ToDictionary(pair => pair[0].GetString()!, pair => pair[1].GetString()!);
        Assert.Equal("'sleeper-local-42'", locals["marker"]);
        Assert.Equal("0.05", locals["interval"]);
        Assert.Equal("<repr failed: RuntimeError>", locals["broken"]);
        Assert.StartsWith("list[0, 1, 2", locals["numbers"]);
        Assert.True(locals["numbers"].Length <= 200);
        await target.AssertUnharmedAsync();
    }

    [Theory]
    [MemberData(nameof(Interpreters.Labels), MemberType = typeof(Interpreters))]
    public async Task Stackdump_leaves_no_thread_module_or_hook_behind(string python)
    {
        await using var target = await PythonTarget.StartAsync(Interpreters.Get(python), "threads_target.py");
        var before = await target.AskAsync("status");

        for (var i = 0; i < 2; i++)
        {
            var result = await HostRun.RunAsync("run", "stackdump", "--pid", target.Pid.ToString(), "--locals");
            Assert.True(result.ExitCode == 0, result.ToString());
        }

        Assert.Equal(before, await target.AskAsync("status"));
        await target.AssertUnharmedAsync();
    }

    [Theory]
    [MemberData(nameof(Interpreters.Labels), MemberType = typeof(Interpreters))]
    public async Task Stackdump_works_on_a_program_that_never_started_a_thread(string python)
    {
        await using var target = await PythonTarget.StartAsync(Interpreters.Get(python), "lone_main.py");

        for (var i = 0; i < 2; i++)
        {
            var result = await HostRun.RunAsync("run", "stackdump", "--pid", target.Pid.ToString(), "--locals");

            Assert.True(result.ExitCode == 0, result.ToString());
            Assert.Contains(", 1 thread", result.Stdout);
            Assert.Contains("(main thread", result.Stdout);
            Assert.Contains("in serve_forever", result.Stdout);
            Assert.Contains("counter = ", result.Stdout);
        }
        await target.AssertUnharmedAsync();
    }

    [Fact]
    public async Task Stackdump_writes_to_the_file_given_with_o()
    {
        await using var target = await PythonTarget.StartAsync(Interpreters.Default, "threads_target.py");
        var file = Path.Combine(Path.GetTempPath(), $"host-test-output-{Guid.NewGuid():N}.json");
        try
        {
            var result = await HostRun.RunAsync("run", "stackdump", "--pid", target.Pid.ToString(), "--format", "json", "-o", file);

            Assert.True(result.ExitCode == 0, result.ToString());
            Assert.Equal("", result.Stdout);
            using var json = JsonDocument.Parse(await File.ReadAllTextAsync(file));
            Assert.Equal(3, json.RootElement.GetProperty("threads").GetArrayLength());
            await target.AssertUnharmedAsync();
        }
        finally
        {
            File.Delete(file);
        }
    }
}
