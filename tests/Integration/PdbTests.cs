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
    public async Task Pdb_inspects_a_thread_blocked_outside_python_at_once(string python)
    {
        // The main thread waits in sys.stdin.readline(): a C call that does not return on its own.
        await using var target = await PythonTarget.StartAsync(Interpreters.Get(python), "trace_target.py");

        var result = await HostRun.RunAsync("run", "pdb", "-p", target.Pid.ToString(), "--commands", "where;p 6 * 7;up;p command");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("host: the thread is outside Python", result.Stdout);
        Assert.Contains("main_loop()", result.Stdout);
        Assert.Contains("line = sys.stdin.readline()", result.Stdout);
        Assert.Contains("42", result.Stdout);
        await AssertRunsOnUntracedAsync(target);
        await target.AssertUnharmedAsync();
    }

    [Theory]
    [MemberData(nameof(Interpreters.Labels), MemberType = typeof(Interpreters))]
    public async Task Pdb_target_detaches_by_itself_when_host_is_killed(string python)
    {
        await using var target = await PythonTarget.StartAsync(Interpreters.Get(python), "trace_target.py");
        await using var host = RunningHost.Start(["run", "pdb", "-p", target.Pid.ToString(), "--thread", "early"]);
        await host.WaitForStderrAsync("host: stopped thread");
        var stopped = await target.AskAsync("progress");
        await Task.Delay(300);
        Assert.Equal(stopped, await target.AskAsync("progress"));

        host.Signal("KILL");
        await host.WaitAsync();

        await AssertRunsOnUntracedAsync(target);
        await target.AssertUnharmedAsync();
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
