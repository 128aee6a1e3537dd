using Host.Tests.Support;

namespace Host.Tests.Integration;

/// <summary>`host run pdb` against real processes, on every CPython found on the machine.</summary>
public sealed class PdbTests
{
    [Theory]
    [MemberData(nameof(Interpreters.Labels), MemberType = typeof(Interpreters))]
    public async Task Pdb_commands_stop_a_running_thread_step_it_and_let_it_run_on(string python)
    {
        await using var target = await PythonTarget.StartAsync(Interpreters.Get(python), "trace_target.py");

        var result = await HostRun.RunAsync("run", "pdb", "-p", target.Pid.ToString(), "--thread", "early", "--commands", "where;p name;next;p 6 * 7;continue");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("(Pdb) where", result.Stdout);
        Assert.Contains("in worker", result.Stdout.Replace(")worker()", ") in worker"));
        Assert.Contains("'early'", result.Stdout);
        Assert.Contains("(Pdb) next", result.Stdout);
        Assert.Contains("42", result.Stdout);
        Assert.DoesNotContain("Traceback", result.Stdout);
        Assert.Contains($"detached from process {target.Pid}", result.Stderr);
        await AssertRunsOnUntracedAsync(target);
        result.AssertNoFilesLeft();
        await target.AssertUnharmedAsync();
    }

    [Theory]
    [MemberData(nameof(Interpreters.Labels), MemberType = typeof(Interpreters))]
    public async Task Pdb_breakpoints_stop_the_thread_interact_runs_python_in_its_frame_and_nothing_raises_into_the_target(string python)
    {
        await using var target = await PythonTarget.StartAsync(Interpreters.Get(python), "trace_target.py");

        var result = await HostRun.RunAsync("run", "pdb", "-p", target.Pid.ToString(), "--thread", "early", "--commands", "break nested_leaf;continue;args;restart;interact;x * 7;exit()");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("Breakpoint 1 at ", result.Stdout);
        Assert.Contains("nested_leaf()", result.Stdout);
        Assert.Contains("x = 1", result.Stdout);
        Assert.Contains(">>> x * 7\n7\n", result.Stdout);
        Assert.Contains("(Pdb) restart\n*** not available when attached to a running process", result.Stdout);
        Assert.Contains("(exit() leaves interact; the process runs on)", result.Stdout);
        Assert.DoesNotContain("Traceback", result.Stdout);
        await AssertRunsOnUntracedAsync(target);
        await target.AssertUnharmedAsync();
    }

    [Theory]
    [MemberData(nameof(Interpreters.Labels), MemberType = typeof(Interpreters))]
    public async Task Pdb_inspects_a_thread_blocked_outside_python_at_once(string python)
    {
        // "sleeper" is in time.sleep(1000): it will not run Python again for a long while.
        await using var target = await PythonTarget.StartAsync(Interpreters.Get(python), "trace_target.py");

        var result = await HostRun.RunAsync("run", "pdb", "-p", target.Pid.ToString(), "--thread", "sleeper", "--commands", "where;p nap;p 6 * 7;up;list");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("host: the thread is outside Python", result.Stdout);
        Assert.Contains("sleeper()", result.Stdout);
        Assert.Contains("time.sleep(nap)", result.Stdout);
        Assert.Contains("1000", result.Stdout);
        Assert.Contains("42", result.Stdout);
        await AssertRunsOnUntracedAsync(target);
        await target.AssertUnharmedAsync();
    }

    [Fact]
    public async Task Pdb_inspects_the_main_thread_blocked_reading_its_stdin()
    {
        await using var target = await PythonTarget.StartAsync(Interpreters.Default, "trace_target.py");

        var result = await HostRun.RunAsync("run", "pdb", "-p", target.Pid.ToString(), "--commands", "where");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("main_loop()", result.Stdout);
        Assert.Contains("line = sys.stdin.readline()", result.Stdout);
        await target.AssertUnharmedAsync();
    }

    [Theory]
    [MemberData(nameof(Interpreters.Labels), MemberType = typeof(Interpreters))]
    public async Task Pdb_target_detaches_by_itself_when_host_is_killed(string python)
    {
        await using var target = await PythonTarget.StartAsync(Interpreters.Get(python), "trace_target.py");
        await using var host = RunningHost.Start(["run", "pdb", "-p", target.Pid.ToString(), "--thread", "early"]);
        await host.WaitForStderrAsync("host: attached to thread");
        var stopped = await target.AskAsync("progress");
        await Task.Delay(300);
        Assert.Equal(stopped, await target.AskAsync("progress"));

        host.Signal("KILL");
        await host.WaitAsync();

        await AssertRunsOnUntracedAsync(target);
        await target.AssertUnharmedAsync();
    }

    [Theory]
    [MemberData(nameof(Interpreters.Labels), MemberType = typeof(Interpreters))]
    public async Task Pdb_works_on_a_target_without_stdin_and_leaves_it_beating(string python)
    {
        await using var target = await PythonTarget.StartAsync(Interpreters.Get(python), "no_stdin_target.py", answersCommands: false);
        Assert.StartsWith("beat ", await target.NextLineAsync());

        var result = await HostRun.RunAsync("run", "pdb", "-p", target.Pid.ToString(), "--commands", "where;p rounds > 0;continue");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("no_stdin_target.py", result.Stdout);
        Assert.Contains("True", result.Stdout);
        var before = await target.NextLineAsync();
        Assert.StartsWith("beat ", before);
        Assert.NotEqual(before, await target.NextLineAsync());
        Assert.False(target.HasExited);
    }

    [Theory]
    [MemberData(nameof(Interpreters.Labels), MemberType = typeof(Interpreters))]
    public async Task Pdb_stepping_a_thread_that_never_runs_python_gives_up_at_the_timeout(string python)
    {
        await using var target = await PythonTarget.StartAsync(Interpreters.Get(python), "trace_target.py");

        var result = await HostRun.RunAsync("run", "pdb", "-p", target.Pid.ToString(), "--thread", "sleeper", "--timeout", "2", "--commands", "where;next;p 1");

        Assert.Equal(5, result.ExitCode);
        Assert.Contains("sleeper()", result.Stdout);
        Assert.Contains("error: the thread did not run Python within 2 s", result.Stderr);
        await AssertRunsOnUntracedAsync(target);
        await target.AssertUnharmedAsync();
    }

    [Fact]
    public async Task Pdb_at_a_real_terminal_edits_completes_and_cancels_lines_breaks_in_again_on_ctrl_c_and_detaches_on_ctrl_d()
    {
        await using var target = await PythonTarget.StartAsync(Interpreters.Default, "trace_target.py");
        await using var terminal = await TerminalSession.StartAsync(
            $"{RepoPaths.HostBinary} run pdb -p {target.Pid} --thread early; echo EXIT=$?; sleep 60");

        await terminal.WaitForAsync("(Pdb)");
        await terminal.SendKeysAsync("p nam", "Enter");
        await terminal.WaitForAsync("NameError");
        await terminal.SendKeysAsync("p 1+", "Left", "Left", "6*7 or ", "End", "1", "Enter");
        await terminal.WaitForAsync("42");
        await terminal.SendKeysAsync("p this line is cancelled", "C-c");
        await terminal.WaitForAsync("^C");
        await terminal.SendKeysAsync("p nam", "Tab");
        await terminal.WaitForAsync("(Pdb) p name");
        await terminal.SendKeysAsync("Enter");
        await terminal.WaitForAsync("'early'");
        await terminal.SendKeysAsync("continue", "Enter");
        await terminal.WaitForAsync("Ctrl-C breaks in again");
        Assert.NotEqual(await target.AskAsync("progress"), await ProgressLaterAsync(target));
        await terminal.SendKeysAsync("C-c");
        var screen = await terminal.WaitForAsync("(Pdb)", times: 6);
        await terminal.SendKeysAsync("C-d");
        screen = await terminal.WaitForAsync("EXIT=0");

        Assert.Contains("detached from process", screen);
        Assert.DoesNotContain("Traceback", screen);
        await AssertRunsOnUntracedAsync(target);
        await target.AssertUnharmedAsync();
    }

    private static async Task<string> ProgressLaterAsync(PythonTarget target)
    {
        await Task.Delay(200);
        return await target.AskAsync("progress");
    }

    [Fact]
    public async Task Pdb_names_the_threads_when_the_one_asked_for_does_not_exist()
    {
        await using var target = await PythonTarget.StartAsync(Interpreters.Default, "trace_target.py");

        var result = await HostRun.RunAsync("run", "pdb", "-p", target.Pid.ToString(), "--thread", "nosuch", "--commands", "where");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("no such thread: nosuch", result.Stderr);
        Assert.Contains("early (", result.Stderr);
        await AssertRunsOnUntracedAsync(target);
        await target.AssertUnharmedAsync();
    }

    /// <summary>The worker keeps making rounds, and no thread has a trace function any more.</summary>
    private static async Task AssertRunsOnUntracedAsync(PythonTarget target)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(2);
        var before = await target.AskAsync("progress");
        string hooks, now;
        do
        {
            await Task.Delay(100);
            hooks = await target.AskAsync("hooks");
            now = await target.AskAsync("progress");
        }
        while ((hooks != "hooks none" || now == before) && DateTime.UtcNow < deadline);
        Assert.Equal("hooks none", hooks);
        Assert.NotEqual(before, now);
    }
}
