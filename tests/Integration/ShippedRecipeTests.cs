using System.Text.RegularExpressions;
using Host.Tests.Support;

namespace Host.Tests.Integration;

/// <summary>Each recipe in scripts/, run by name as a user would, against a real process on every CPython here.</summary>
public sealed class ShippedRecipeTests
{
    [Theory]
    [MemberData(nameof(Interpreters.Labels), MemberType = typeof(Interpreters))]
    public async Task Exec_prints_the_repr_of_an_expression_over_the_targets_main_names(string python)
    {
        await using var target = await PythonTarget.StartAsync(Interpreters.Get(python), "threads_target.py", ["--recipes"]);

        var result = await HostRun.RunAsync("run", "exec", "-p", target.Pid.ToString(), "(len(CACHE), CACHE[7], LOG.name)");
        var failure = await HostRun.RunAsync("run", "exec", "-p", target.Pid.ToString(), "no_such_name + 1");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("(1000, '7', 'app.db')", result.Stdout.Trim().Replace("u'", "'", StringComparison.Ordinal));
        Assert.Equal(1, failure.ExitCode);
        Assert.Contains("NameError", failure.Stderr);
        Assert.Contains("no_such_name", failure.Stderr);
        await target.AssertUnharmedAsync();
    }

    [Theory]
    [MemberData(nameof(Interpreters.Labels), MemberType = typeof(Interpreters))]
    public async Task Threads_shows_each_threads_name_daemon_flag_and_the_call_it_waits_in(string python)
    {
        await using var target = await PythonTarget.StartAsync(Interpreters.Get(python), "threads_target.py", ["--recipes"]);

        var result = await HostRun.RunAsync("run", "threads", "-p", target.Pid.ToString());

        Assert.True(result.ExitCode == 0, result.ToString());
        var lines = result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith($"process {target.Pid}, Python {target.Interpreter.VersionText}: 4 thread(s)", lines[0]);
        Assert.Matches(@"MainThread\s+main\s+main_loop\s+\S+threads_target\.py:\d+\s+`line = sys\.stdin\.readline\(\)`", result.Stdout);
        Assert.Matches(@"sleeper\s+daemon\s+sleeping_worker\s+\S+threads_target\.py:\d+\s+`time\.sleep\(interval\)`", result.Stdout);
        Assert.Matches(@"waiter\s+daemon\s+", result.Stdout);
        Assert.Matches(@"grower\s+daemon\s+growing_worker", result.Stdout);
        await target.AssertUnharmedAsync();
    }

    [Theory]
    [MemberData(nameof(Interpreters.Labels), MemberType = typeof(Interpreters))]
    public async Task Modules_lists_the_targets_modules_with_versions_and_not_the_injections_own(string python)
    {
        await using var target = await PythonTarget.StartAsync(Interpreters.Get(python), "threads_target.py", ["--recipes"]);

        var result = await HostRun.RunAsync("run", "modules", "-p", target.Pid.ToString(), "--all");
        var filtered = await HostRun.RunAsync("run", "modules", "-p", target.Pid.ToString(), "--filter", "logg");

        Assert.True(result.ExitCode == 0, result.ToString());
        var names = result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split(' ')[0]).ToList();
        Assert.Contains("threading", names);
        Assert.Contains("__main__", names);
        // json is imported by the injected code, never by this target.
        Assert.DoesNotContain("json", names);
        Assert.DoesNotContain("json.decoder", names);
        Assert.Matches(@"^logging\s+0\.5\.1\.2\s+\S+logging/__init__\.pyc?$", filtered.Stdout.Trim());
        Assert.Contains("1 modules", filtered.Stderr);
        await target.AssertUnharmedAsync();
    }

    [Theory]
    [MemberData(nameof(Interpreters.Labels), MemberType = typeof(Interpreters))]
    public async Task Gc_stats_shows_generations_and_the_most_common_types(string python)
    {
        await using var target = await PythonTarget.StartAsync(Interpreters.Get(python), "threads_target.py", ["--recipes"]);

        var result = await HostRun.RunAsync("run", "gc-stats", "-p", target.Pid.ToString(), "--top", "5", "--collect");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("collector enabled; gc.garbage holds 0 object(s)", result.Stdout);
        Assert.Matches(@"gc\.collect\(\) freed \d+ object\(s\)", result.Stdout);
        Assert.Matches(@"generation 0: count \d+, threshold \d+", result.Stdout);
        Assert.Matches(@"generation 2: count \d+, threshold \d+", result.Stdout);
        Assert.Matches(@"\d+ objects tracked by the collector; most common types:", result.Stdout);
        Assert.Equal(5, Regex.Matches(result.Stdout, @"^\s+\d+\s+\S+\.\S+$", RegexOptions.Multiline).Count);
        await target.AssertUnharmedAsync();
    }

    [Theory]
    [MemberData(nameof(Interpreters.Labels), MemberType = typeof(Interpreters))]
    public async Task Loglevel_lists_loggers_and_changes_a_level_at_run_time(string python)
    {
        await using var target = await PythonTarget.StartAsync(Interpreters.Get(python), "threads_target.py", ["--recipes"]);

        var list = await HostRun.RunAsync("run", "loglevel", "-p", target.Pid.ToString());
        var change = await HostRun.RunAsync("run", "loglevel", "-p", target.Pid.ToString(), "app.db", "debug");
        var wrong = await HostRun.RunAsync("run", "loglevel", "-p", target.Pid.ToString(), "app.db", "LOUD");

        Assert.True(list.ExitCode == 0, list.ToString());
        Assert.Matches(@"root\s+WARNING\s+WARNING\s+1", list.Stdout);
        Assert.Matches(@"app\.db\s+NOTSET\s+WARNING\s+0", list.Stdout);
        Assert.True(change.ExitCode == 0, change.ToString());
        Assert.Equal("app.db: level NOTSET -> DEBUG (effective WARNING -> DEBUG)", change.Stdout.Trim());
        Assert.Equal("level 10", await target.AskAsync("level"));
        Assert.Equal(1, wrong.ExitCode);
        Assert.Contains("unknown level 'LOUD'", wrong.Stderr);
        await target.AssertUnharmedAsync();
    }

    [Theory]
    [MemberData(nameof(Interpreters.Labels), MemberType = typeof(Interpreters))]
    public async Task Faulthandler_arms_a_signal_that_later_dumps_every_thread_without_attaching(string python)
    {
        var interpreter = Interpreters.Get(python);
        await using var target = await PythonTarget.StartAsync(interpreter, "threads_target.py", ["--recipes"]);
        // The target writes the file where it sees it: under its own root when confined.
        var file = $"/tmp/faulthandler-{Guid.NewGuid():N}.txt";
        var written = interpreter.HostPath(file);
        try
        {
            var arm = await HostRun.RunAsync("run", "faulthandler", "-p", target.Pid.ToString(), "--signal", "USR2", "--file", file);
            if (interpreter.IsPython2)
            {
                Assert.Equal(1, arm.ExitCode);
                Assert.Contains("faulthandler is in the standard library from Python 3.3; this is Python 2.7", arm.Stderr);
                await target.AssertUnharmedAsync();
                return;
            }
            Assert.True(arm.ExitCode == 0, arm.ToString());
            Assert.Contains($"armed: kill -USR2 {target.Pid} now writes every thread's traceback to {file}", arm.Stdout);

            Signals.Send(target.Pid, "USR2");
            // faulthandler writes thread after thread from the signal handler: a read may come
            // between two of them, so each thread is waited for.
            foreach (var function in new[] { "sleeping_worker", "growing_worker", "main_loop" })
                await WaitForTextAsync(written, function);

            var off = await HostRun.RunAsync("run", "faulthandler", "-p", target.Pid.ToString(), "--signal", "USR2", "--off");
            Assert.True(off.ExitCode == 0, off.ToString());
            Assert.Contains("SIGUSR2 no longer dumps stacks", off.Stdout);
            await target.AssertUnharmedAsync();
        }
        finally
        {
            File.Delete(written);
        }
    }

    [Theory]
    [MemberData(nameof(Interpreters.Labels), MemberType = typeof(Interpreters))]
    public async Task Memtop_shows_the_line_holding_the_most_memory_and_stops_tracing_again(string python)
    {
        var interpreter = Interpreters.Get(python);
        await using var target = await PythonTarget.StartAsync(interpreter, "threads_target.py", ["--recipes"]);

        var result = await HostRun.RunAsync("run", "memtop", "-p", target.Pid.ToString(), "--seconds", "1", "--top", "3");

        if (interpreter.IsPython2)
        {
            Assert.Equal(1, result.ExitCode);
            Assert.Contains("tracemalloc is in the standard library from Python 3.4; this is Python 2.7", result.Stderr);
            await target.AssertUnharmedAsync();
            return;
        }
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("traced allocations for 1 s (tracing stopped again)", result.Stdout);
        var top = result.Stdout.Split('\n').First(l => l.Contains("blocks", StringComparison.Ordinal));
        Assert.Contains("threads_target.py:", top);
        Assert.EndsWith("# GROWER_LINE", top);
        Assert.Equal("traced False", await target.AskAsync("traced"));
        await target.AssertUnharmedAsync();
    }

    [Theory]
    [MemberData(nameof(Interpreters.Labels), MemberType = typeof(Interpreters))]
    public async Task Hot_lines_shows_where_in_a_module_the_busy_thread_spends_its_time(string python)
    {
        await using var target = await PythonTarget.StartAsync(Interpreters.Get(python), "cpu_split.py");

        var result = await HostRun.RunAsync("run", "hot-lines", "-p", target.Pid.ToString(), "--module", "cpu_split", "--seconds", "1", "--top", "5");

        Assert.True(result.ExitCode == 0, result.ToString());
        var lines = result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Matches(@"^process \d+, Python \S+: \d+ samples in 1\.\d s \(\d+ Hz\), \d+ thread-stacks counted, \d+ failed, \d+ idle left out$", lines[0]);
        Assert.Equal("the lines of cpu_split the threads were at:", lines[1]);
        // spin's loop is where the worker is: its lines take the top rows, each as its own time.
        var rows = lines[3..];
        Assert.Matches(@"^\s+\d+\.\d\s+\d+\.\d  .*cpu_split\.py:\d+ in spin$", rows[0]);
        var spinShare = rows.Where(r => r.EndsWith(" in spin", StringComparison.Ordinal)).Sum(r => double.Parse(r.Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture));
        Assert.True(spinShare > 90, result.Stdout);
        await target.AssertUnharmedAsync();
    }

    [Fact]
    public async Task Memtop_stops_tracing_in_the_target_when_host_is_killed()
    {
        var interpreter = Interpreters.Default;
        await using var target = await PythonTarget.StartAsync(interpreter, "threads_target.py", ["--recipes"]);
        await using var host = RunningHost.Start(["run", "memtop", "-p", target.Pid.ToString(), "--seconds", "60"]);
        await WaitForAsync(async () => await target.AskAsync("traced") == "traced True");

        host.Signal("KILL");

        await WaitForAsync(async () => await target.AskAsync("traced") == "traced False");
        target.AssertRunningFreely();
        await target.AssertUnharmedAsync();
    }

    private static async Task WaitForTextAsync(string file, string text)
    {
        await WaitForAsync(() => Task.FromResult(File.Exists(file) && File.ReadAllText(file).Contains(text, StringComparison.Ordinal)));
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
