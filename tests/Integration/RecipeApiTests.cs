using Host.Tests.Support;

namespace Host.Tests.Integration;

/// <summary>The recipe Lua API, function by function, against real processes on every CPython here.</summary>
public sealed class RecipeApiTests
{
    private static string Recipe(string name) => RepoPaths.Fixture(Path.Combine("recipes", name));

    private static int LineOf(string recipe, string text) => Array.FindIndex(File.ReadAllLines(Recipe(recipe)), l => l.Contains(text, StringComparison.Ordinal)) + 1;

    [Theory]
    [MemberData(nameof(Interpreters.Labels), MemberType = typeof(Interpreters))]
    public async Task Recipe_calls_C_functions_and_runs_Python_with_params_and_values(string python)
    {
        await using var target = await PythonTarget.StartAsync(Interpreters.Get(python), "threads_target.py", ["--recipes"]);

        var result = await HostRun.RunAsync("run", Recipe("api_basics.lua"), "-p", target.Pid.ToString());

        Assert.True(result.ExitCode == 0, result.ToString());
        var lines = result.Stdout.Split('\n');
        Assert.Equal("version=" + target.Interpreter.Version, lines[0]);
        Assert.Equal("initialized=1", lines[1]);
        Assert.StartsWith($"info={target.Pid} {target.Interpreter.Version.Major}.{target.Interpreter.Version.Minor}", lines[2]);
        Assert.Equal("a=42", lines[3]);
        Assert.Equal("list=[1,null,\"x\"] k=café obj=<object object", lines[4]);
        Assert.Equal("none=0", lines[5]);
        Assert.Matches($@"^error=.*api_basics\.lua:{LineOf("api_basics.lua", "raise KeyError")}: python: KeyError: '?boom'? \(line 2 of the Python code\)$", lines[6]);
        Assert.Equal("file=FROM A FILE", lines[7]);
        result.AssertNoFilesLeft();
        target.AssertRunningFreely();
        await target.AssertUnharmedAsync();
    }

    [Theory]
    [MemberData(nameof(Interpreters.Labels), MemberType = typeof(Interpreters))]
    public async Task Recipe_reads_a_fifo_that_a_background_python_job_writes(string python)
    {
        await using var target = await PythonTarget.StartAsync(Interpreters.Get(python), "threads_target.py", ["--recipes"]);
        var before = await target.AskAsync("status");

        var result = await HostRun.RunAsync("run", Recipe("api_stream.lua"), "-p", target.Pid.ToString());

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(["line=tick 0", "line=tick 1", "line=tick 2", "line={\"count\":3,\"done\":true}", "wait=job finished"],
            result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Replace("{\"done\":true,\"count\":3}", "{\"count\":3,\"done\":true}", StringComparison.Ordinal)));
        result.AssertNoFilesLeft();
        Assert.Equal(before, await target.AskAsync("status"));
        await target.AssertUnharmedAsync();
    }

    [Theory]
    [MemberData(nameof(Interpreters.Labels), MemberType = typeof(Interpreters))]
    public async Task Recipe_gets_a_capability_result_as_tables_and_attaches_and_detaches(string python)
    {
        await using var target = await PythonTarget.StartAsync(Interpreters.Get(python), "threads_target.py", ["--recipes"]);

        var result = await HostRun.RunAsync("run", Recipe("api_compose.lua"), "-p", target.Pid.ToString());

        Assert.True(result.ExitCode == 0, result.ToString());
        var lines = result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["sleeper sleeping_worker marker='sleeper-local-42'", $"threads=4 pid={target.Pid}", "other=1"], lines[..3]);
        Assert.Equal($"after detach: {Recipe("api_compose.lua")}:{LineOf("api_compose.lua", "after detach")}: this target was detached; attach again to use it", lines[3]);
        result.AssertNoFilesLeft();
        await target.AssertUnharmedAsync();
    }

    [Theory]
    [MemberData(nameof(Interpreters.Labels), MemberType = typeof(Interpreters))]
    public async Task Recipe_gets_a_short_profile_as_stacks_and_counts_with_target_sample(string python)
    {
        await using var target = await PythonTarget.StartAsync(Interpreters.Get(python), "cpu_split.py");

        var result = await HostRun.RunAsync("run", Recipe("api_sample.lua"), "-p", target.Pid.ToString());

        Assert.True(result.ExitCode == 0, result.ToString());
        var lines = result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var counts = System.Text.RegularExpressions.Regex.Match(lines[0], @"^samples=(\d+) counted=(\d+) worker=(\d+) idler=(\d+) spin=(\d+) failed=(\d+)$");
        Assert.True(counts.Success, result.Stdout);
        long Count(int group) => long.Parse(counts.Groups[group].Value);
        // 1 s at 200 Hz, with --idle: every thread (main, worker, idler) in about every sample.
        Assert.InRange(Count(1), 100, 201);
        Assert.InRange(Count(2), 3 * Count(1) - Count(6) - 3, 3 * Count(1));
        Assert.InRange(Count(3), Count(1) * 9 / 10 - Count(6), Count(1));
        Assert.InRange(Count(4), Count(1) * 9 / 10, Count(1));
        Assert.InRange(Count(5), Count(3) * 8 / 10, Count(3));
        Assert.Equal("idle left out=true", lines[1]);
        Assert.StartsWith("bad rate: ", lines[2]);
        Assert.Contains("api_sample.lua:14: sample: rate must be a whole number of samples per second from 1 to 20000, not 0", lines[2]);
        await target.AssertUnharmedAsync();
    }

    [Theory]
    [MemberData(nameof(Interpreters.Labels), MemberType = typeof(Interpreters))]
    public async Task Recipe_reads_the_threads_from_outside_with_target_threads_and_run_with_method_read(string python)
    {
        await using var target = await PythonTarget.StartAsync(Interpreters.Get(python), "threads_target.py");

        var result = await HostRun.RunAsync("run", Recipe("api_read.lua"), "-p", target.Pid.ToString());

        Assert.True(result.ExitCode == 0, result.ToString());
        var lines = result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var sleepLine = File.ReadAllLines(RepoPaths.Fixture("threads_target.py")).ToList().FindIndex(l => l.Contains("time.sleep(interval)", StringComparison.Ordinal)) + 1;
        Assert.Equal([$"read sleeping_worker line={sleepLine} marker='sleeper-local-42'", "method=read threads=3 stopped=true"], lines);
        result.AssertNoFilesLeft();
        await target.AssertUnharmedAsync();
    }

    [Fact]
    public async Task Recipe_gets_its_arguments_and_prints_logs_sleeps_and_uses_json_without_a_target()
    {
        var result = await HostRun.RunAsync("run", Recipe("general.lua"), "one", "--top", "5", "two", "--max-depth=3", "--flag");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(
            ["positional=one,two", "named=5 3 true", "target=nil", "slept=yes", "json=[1,\"two\",{\"three\":3}]", "decoded=3 true nil é", "require=hello recipes"],
            result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("general.lua: a log line", result.Stderr);
    }
}
