using System.Globalization;
using System.Text.Json;
using Host.Abstractions;
using Host.Tests.Support;

namespace Host.Tests.Integration;

/// <summary>
/// `host run profile`'s choices on real targets: --gil, --threads, --subprocesses, --blocking, and
/// what a user gets for an unwritable -o, a free-threaded target under --gil, and Ctrl-C twice.
/// </summary>
public sealed class ProfileChoicesTests
{
    [Theory]
    [MemberData(nameof(Interpreters.GilLabels), MemberType = typeof(Interpreters))]
    public async Task Under_gil_a_busy_thread_that_keeps_releasing_the_gil_is_absent(string python)
    {
        await using var target = await PythonTarget.StartAsync(Interpreters.Get(python), "cpu_split.py", ["releaser"]);

        var all = await ProfileAsync(target, "--duration", "2", "--rate", "500");
        var gil = await ProfileAsync(target, "--duration", "2", "--rate", "500", "--gil");

        // Without --gil the releaser is busy (the kernel copies for it), so it is sampled as often as the worker.
        Assert.True(Share(all, "release_the_gil") > 30, Describe(all));
        // Between two reads it holds the GIL for microseconds (a few in each 5 ms switch interval of
        // the worker's): a sample may catch it there, rarely, and more often on a loaded machine.
        Assert.True(Share(gil, "release_the_gil") < 3, Describe(gil));
        Assert.True(Share(gil, "spin") > 90, Describe(gil));
        Assert.True(gil.RootElement.GetProperty("gil_left_out").GetInt64() > 0, Describe(gil));
        target.AssertRunningFreely();
        await target.AssertUnharmedAsync();
    }

    [Theory]
    [MemberData(nameof(Interpreters.FreeThreadedLabels), MemberType = typeof(Interpreters))]
    public async Task Gil_on_a_free_threaded_build_is_refused_and_says_why(string python)
    {
        await using var target = await PythonTarget.StartAsync(Interpreters.Get(python), "cpu_split.py");

        var result = await HostRun.RunAsync("run", "profile", "-p", Pid(target), "--duration", "1", "--gil");

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Matches("^error: --gil: process \\d+ runs a free-threaded Python .*no GIL", result.Stderr);
        Assert.DoesNotContain("   at ", result.Stderr);
        await target.AssertUnharmedAsync();
    }

    [Theory]
    [MemberData(nameof(Interpreters.Labels), MemberType = typeof(Interpreters))]
    public async Task Threads_keeps_one_profile_per_thread_named_as_threading_names_it(string python)
    {
        await using var target = await PythonTarget.StartAsync(Interpreters.Get(python), "cpu_split.py");

        using var json = await ProfileAsync(target, "--duration", "1", "--threads", "--idle");

        var stacks = json.RootElement.GetProperty("stacks").EnumerateArray().ToList();
        Assert.All(stacks, s => Assert.True(s.TryGetProperty("thread", out _), s.ToString()));
        var names = stacks.Where(s => s.TryGetProperty("thread_name", out _)).GroupBy(s => s.GetProperty("thread_name").GetString()).ToDictionary(g => g.Key!, g => g.ToList());
        Assert.True(names.ContainsKey("worker") && names.ContainsKey("idler"), Describe(json));
        Assert.All(names["worker"], s => Assert.Contains("work", Functions(s)));
        Assert.All(names["idler"], s => Assert.Contains("idle", Functions(s)));
        Assert.Single(names["worker"].Select(s => s.GetProperty("thread").GetInt64()).Distinct());

        // The text report: a table per thread, under its name.
        var text = await HostRun.RunAsync("run", "profile", "-p", Pid(target), "--duration", "1", "--threads");
        Assert.True(text.ExitCode == 0, text.ToString());
        Assert.Matches(@"(?m)^thread worker \(\d+\): \d+ thread-stacks$", text.Stdout);
        Assert.DoesNotMatch(@"(?m)^thread idler ", text.Stdout);
        await target.AssertUnharmedAsync();
    }

    [Theory]
    [MemberData(nameof(Interpreters.Labels), MemberType = typeof(Interpreters))]
    public async Task Subprocesses_follows_the_targets_python_child(string python)
    {
        await using var target = await PythonTarget.StartAsync(Interpreters.Get(python), "spawns_child.py");

        var result = await HostRun.RunAsync("run", "profile", "-p", Pid(target), "--duration", "2", "--subprocesses", "--format", "collapsed");

        Assert.True(result.ExitCode == 0, result.ToString());
        var lines = result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.All(lines, l => Assert.StartsWith("process ", l));
        var child = lines.Where(l => l.Contains("child_busy (", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(child);
        Assert.DoesNotContain($"process {target.Pid} (", child[0]);
        Assert.Matches(@"profile: process \d+: followed from", result.Stderr);
        await target.AssertUnharmedAsync();
    }

    [Theory]
    [MemberData(nameof(Interpreters.Labels), MemberType = typeof(Interpreters))]
    public async Task Blocking_stops_the_threads_for_each_sample_and_releases_them(string python)
    {
        await using var target = await PythonTarget.StartAsync(Interpreters.Get(python), "cpu_split.py");

        using var json = await ProfileAsync(target, "--duration", "1", "--rate", "200", "--blocking");

        Assert.True(json.RootElement.GetProperty("threads_stopped").GetBoolean());
        Assert.Equal(0, json.RootElement.GetProperty("failed").EnumerateObject().Sum(p => p.Value.GetInt64()));
        Assert.True(Share(json, "spin") > 90, Describe(json));
        target.AssertRunningFreely();
        await target.AssertUnharmedAsync();
    }

    [Fact]
    public async Task An_unwritable_output_is_refused_before_sampling()
    {
        await using var target = await PythonTarget.StartAsync(Interpreters.Default, "cpu_split.py");

        var result = await HostRun.RunAsync("run", "profile", "-p", Pid(target), "--duration", "30", "-o", "/nonexistent-directory/profile.txt");

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.StartsWith("error: cannot write to /nonexistent-directory/profile.txt", result.Stderr);
        Assert.DoesNotContain("profile: sampling", result.Stderr);
        await target.AssertUnharmedAsync();
    }

    [Fact]
    public async Task Ctrl_c_twice_ends_at_once_and_leaves_the_target_running()
    {
        await using var target = await PythonTarget.StartAsync(Interpreters.Default, "cpu_split.py");
        await using var host = RunningHost.Start(["run", "profile", "-p", Pid(target), "--rate", "2000", "--blocking", "--idle", "--threads", "--format", "json"]);
        await host.WaitForStderrAsync("profile: sampling process");
        await Task.Delay(TimeSpan.FromSeconds(2));

        host.Signal("INT");
        host.Signal("INT");
        var result = await host.WaitAsync(TimeSpan.FromSeconds(20));

        // The second Ctrl-C either came while the profile was written (abandoned, and said so) or after.
        Assert.True(result.ExitCode is ExitCodes.Ok or ExitCodes.Interrupted, result.ToString());
        if (result.ExitCode == ExitCodes.Interrupted)
            Assert.Contains("incomplete", result.Stderr);
        else
            JsonDocument.Parse(result.Stdout).Dispose();
        Assert.DoesNotContain("   at ", result.Stderr);
        target.AssertRunningFreely();
        await target.AssertUnharmedAsync();
    }

    [Fact]
    public async Task On_a_terminal_a_status_line_tells_the_progress_and_redirected_nothing_does()
    {
        await using var target = await PythonTarget.StartAsync(Interpreters.Default, "cpu_split.py");
        await using var terminal = await TerminalSession.StartAsync(
            $"{RepoPaths.HostBinary} run profile -p {target.Pid} --duration 4 -o /dev/null; echo EXIT=$?; sleep 60");

        var screen = await terminal.WaitForAsync(" s, ", timeout: TimeSpan.FromSeconds(20));
        Assert.Matches($@"host: profiling process {target.Pid}: \d+\.\d s, \d+ samples, \d+ Hz, 0 errors; Ctrl-C ends it and writes the profile", screen);
        screen = await terminal.WaitForAsync("EXIT=0");
        // The status line is wiped once sampling ends: the closing lines take its place.
        Assert.DoesNotContain("host: profiling process", screen);
        Assert.Matches(@"profile: \d+ samples in 4\.\d s", screen);

        var redirected = await HostRun.RunAsync("run", "profile", "-p", Pid(target), "--duration", "1");
        Assert.True(redirected.ExitCode == 0, redirected.ToString());
        Assert.DoesNotContain("profiling process", redirected.Stderr);
        await target.AssertUnharmedAsync();
    }

    [Fact]
    public async Task Host_killed_while_profiling_with_blocking_leaves_no_thread_stopped()
    {
        await using var target = await PythonTarget.StartAsync(Interpreters.Default, "cpu_split.py");
        await using var host = RunningHost.Start(["run", "profile", "-p", Pid(target), "--rate", "5000", "--blocking"]);
        await host.WaitForStderrAsync("profile: sampling process");
        await Task.Delay(TimeSpan.FromSeconds(1));

        host.Signal("KILL");
        await host.WaitAsync(TimeSpan.FromSeconds(10));

        // The kernel detaches a dead tracer's tracees: every thread runs on.
        await Task.Delay(TimeSpan.FromMilliseconds(200));
        target.AssertRunningFreely();
        foreach (var task in Directory.GetDirectories($"/proc/{target.Pid}/task"))
        {
            var stat = File.ReadAllText(Path.Combine(task, "stat"));
            Assert.NotEqual('t', stat[stat.LastIndexOf(')') + 2]);
        }
        await target.AssertUnharmedAsync();
    }

    private static async Task<JsonDocument> ProfileAsync(PythonTarget target, params string[] options)
    {
        var result = await HostRun.RunAsync(["run", "profile", "-p", Pid(target), "--format", "json", .. options]);
        Assert.True(result.ExitCode == 0, result.ToString());
        return JsonDocument.Parse(result.Stdout);
    }

    /// <summary>The percentage of counted thread-stacks with <paramref name="function"/> on them.</summary>
    private static double Share(JsonDocument json, string function)
    {
        var stacks = json.RootElement.GetProperty("stacks").EnumerateArray().ToList();
        var total = stacks.Sum(s => s.GetProperty("count").GetInt64());
        var with = stacks.Where(s => Functions(s).Contains(function)).Sum(s => s.GetProperty("count").GetInt64());
        return total == 0 ? 0 : 100.0 * with / total;
    }

    private static HashSet<string> Functions(JsonElement stack) =>
        stack.GetProperty("frames").EnumerateArray().Select(f => f.GetProperty("function").GetString()!).ToHashSet();

    private static string Describe(JsonDocument json) => json.RootElement.ToString();

    private static string Pid(PythonTarget target) => target.Pid.ToString(CultureInfo.InvariantCulture);
}
