using Host.Tests.Support;

namespace Host.Tests.Integration;

/// <summary>How a recipe fails, is stopped and is found: errors with file:line, the sandbox, --timeout, signals, folders.</summary>
public sealed class RecipeBehaviourTests
{
    private static string Recipe(string name) => RepoPaths.Fixture(Path.Combine("recipes", name));

    [Fact]
    public async Task A_lua_error_names_the_recipe_file_and_line_and_everything_it_opened_is_removed()
    {
        await using var target = await PythonTarget.StartAsync(Interpreters.Default, "threads_target.py", ["--recipes"]);
        var before = await target.AskAsync("status");

        var result = await HostRun.RunAsync("run", Recipe("fails.lua"), "-p", target.Pid.ToString());

        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith($"error: {Recipe("fails.lua")}:4: attempt to perform arithmetic on a nil value", result.Stderr);
        Assert.DoesNotContain("   at ", result.Stderr);
        result.AssertNoFilesLeft();
        target.AssertRunningFreely();
        // The background Python code waited in host_wait: it ends once the recipe is gone.
        await WaitForAsync(async () => await target.AskAsync("status") == before);
        await target.AssertUnharmedAsync();
    }

    [Fact]
    public async Task A_syntax_error_and_a_failed_primitive_have_their_line_and_exit_code()
    {
        var dir = Directory.CreateTempSubdirectory("recipes-");
        try
        {
            var syntax = Path.Combine(dir.FullName, "broken.lua");
            await File.WriteAllTextAsync(syntax, "print('a')\nprint('b'\n");
            var missing = Path.Combine(dir.FullName, "missing.lua");
            await File.WriteAllTextAsync(missing, "-- attaches to nothing\nlocal t = attach(999999)\n");

            var bad = await HostRun.RunAsync("run", syntax);
            var gone = await HostRun.RunAsync("run", missing);

            Assert.Equal(1, bad.ExitCode);
            Assert.StartsWith($"error: {syntax}:3: ')' expected (to close '(' at line 2)", bad.Stderr);
            Assert.Equal("", bad.Stdout);
            Assert.Equal(3, gone.ExitCode);
            Assert.StartsWith($"error: {missing}:2: no process with pid 999999", gone.Stderr);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task Every_way_out_of_the_sandbox_is_refused()
    {
        var result = await HostRun.RunAsync("run", Recipe("escapes.lua"));

        Assert.True(result.ExitCode == 0, result.ToString());
        var lines = result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(21, lines.Length);
        Assert.All(lines[..^1], line => Assert.StartsWith("refused ", line));
        Assert.Equal("checked", lines[^1]);
    }

    [Fact]
    public async Task Timeout_stops_a_looping_recipe_and_the_target_keeps_running()
    {
        await using var target = await PythonTarget.StartAsync(Interpreters.Default, "threads_target.py", ["--recipes"]);
        var before = await target.AskAsync("status");

        var result = await HostRun.RunAsync("run", Recipe("loops.lua"), "-p", target.Pid.ToString(), "--timeout", "3");

        Assert.Equal(5, result.ExitCode);
        Assert.Equal("python=ran", result.Stdout.Trim());
        Assert.Contains("did not finish within 3 s (--timeout) and was stopped", result.Stderr);
        result.AssertNoFilesLeft();
        target.AssertRunningFreely();
        Assert.Equal(before, await target.AskAsync("status"));
        await target.AssertUnharmedAsync();
    }

    [Fact]
    public async Task Timeout_also_stops_a_recipe_looping_where_lua_cannot_yield()
    {
        var result = await HostRun.RunAsync(["run", Recipe("sort_loop.lua"), "--timeout", "1"], TimeSpan.FromSeconds(20));

        Assert.Equal(5, result.ExitCode);
        Assert.Contains("did not finish within 1 s (--timeout) and was stopped", result.Stderr);
    }

    [Theory]
    [InlineData("INT", 130)]
    [InlineData("TERM", 130)]
    public async Task A_signal_stops_a_looping_recipe_and_the_target_keeps_running(string signal, int exitCode)
    {
        await using var target = await PythonTarget.StartAsync(Interpreters.Default, "threads_target.py", ["--recipes"]);
        await using var host = RunningHost.Start(["run", Recipe("loops.lua"), "-p", target.Pid.ToString()], readStdout: false);
        Assert.Equal("python=ran", await host.ReadLineThenCloseStdoutAsync());

        host.Signal(signal);

        var result = await host.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(exitCode, result.ExitCode);
        Assert.Contains("interrupted", result.Stderr);
        result.AssertNoFilesLeft();
        target.AssertRunningFreely();
        await target.AssertUnharmedAsync();
    }

    [Fact]
    public async Task Host_list_shows_the_shipped_recipes_with_their_descriptions_and_help_shows_the_header()
    {
        var list = await HostRun.RunAsync("list");
        var help = await HostRun.RunAsync("run", "memtop", "--help");

        Assert.True(list.ExitCode == 0, list.ToString());
        foreach (var name in new[] { "exec", "threads", "modules", "gc-stats", "loglevel", "faulthandler", "memtop", "hot-lines" })
            Assert.Contains($"built-in recipe: {Path.Combine(RepoPaths.Root, "artifacts", "host", "scripts", name + ".lua")}", list.Stdout);
        Assert.Matches(@"(?m)^gc-stats\s+garbage collector counts and thresholds, and the most common object types$", list.Stdout);
        Assert.Equal(0, help.ExitCode);
        Assert.Contains("usage: host run memtop -p PID [--seconds S] [--top N] [--frames F]", help.Stdout);
        Assert.Contains("--pid", help.Stdout);
    }

    [Fact]
    public async Task Recipes_are_found_in_the_users_folder_and_in_HOST_RECIPE_PATH_and_may_require_their_modules()
    {
        var data = Directory.CreateTempSubdirectory("xdg-");
        var extra = Directory.CreateTempSubdirectory("recipes-");
        try
        {
            var user = Directory.CreateDirectory(Path.Combine(data.FullName, "host", "recipes"));
            await File.WriteAllTextAsync(Path.Combine(user.FullName, "mine.lua"), "-- mine: the user's own recipe\nprint(require('shared').word)\n");
            await File.WriteAllTextAsync(Path.Combine(extra.FullName, "shared.lua"), "return { word = 'from HOST_RECIPE_PATH' }\n");
            await File.WriteAllTextAsync(Path.Combine(extra.FullName, "extra.lua"), "-- extra: from a path entry\nprint('extra ran')\n");
            var environment = new Dictionary<string, string?> { ["XDG_DATA_HOME"] = data.FullName, ["HOST_RECIPE_PATH"] = extra.FullName };

            var list = await HostRun.RunAsync(["list"], environment: environment);
            var mine = await HostRun.RunAsync(["run", "mine"], environment: environment);
            var extraRun = await HostRun.RunAsync(["run", "extra"], environment: environment);

            Assert.Contains($"user recipe: {Path.Combine(user.FullName, "mine.lua")}", list.Stdout);
            Assert.Contains($"HOST_RECIPE_PATH recipe: {Path.Combine(extra.FullName, "extra.lua")}", list.Stdout);
            Assert.Matches(@"(?m)^mine\s+the user's own recipe$", list.Stdout);
            Assert.True(mine.ExitCode == 0, mine.ToString());
            Assert.Equal("from HOST_RECIPE_PATH", mine.Stdout.Trim());
            Assert.Equal("extra ran", extraRun.Stdout.Trim());
        }
        finally
        {
            data.Delete(recursive: true);
            extra.Delete(recursive: true);
        }
    }

    private static async Task WaitForAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "the condition did not become true within 20 s");
            await Task.Delay(100);
        }
    }
}
