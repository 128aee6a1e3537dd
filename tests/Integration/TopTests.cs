using System.Globalization;
using System.Text.RegularExpressions;
using Host.Tests.Support;

namespace Host.Tests.Integration;

/// <summary>
/// `host run top` on real targets: in a terminal (tmux) a table redrawn every second that q or
/// Ctrl-C ends; through a pipe one table per second. The target runs on as it was.
/// </summary>
public sealed partial class TopTests
{
    [Fact]
    public async Task In_a_terminal_the_table_is_redrawn_every_second_and_q_quits()
    {
        await using var target = await PythonTarget.StartAsync(Interpreters.Default, "cpu_split.py");
        await using var terminal = await TerminalSession.StartAsync(
            $"{RepoPaths.HostBinary} run top -p {target.Pid}; echo EXIT=$?; sleep 60");

        var first = await terminal.WaitForAsync("q or Ctrl-C quits");
        var screen = await WaitForSecondsAsync(terminal, 3);
        Assert.Matches(@"host top: process \d+, Python [0-9.]+t? \(q or Ctrl-C quits\)\n\d+ Hz \(100 asked\), 3 s; 3 threads, 1 busy; GIL: worker \d+%", screen);
        Assert.Matches(@"\n\s+\d+\.\d\s+\d+\.\d\s+\d+\.\d\d\s+\d+\.\d\d  spin \(", screen);
        Assert.Contains("share_c (", screen);
        Assert.DoesNotContain("idle (", screen);
        await terminal.SendKeysAsync("q");
        screen = await terminal.WaitForAsync("EXIT=0");

        // Back on the shell's screen, the last table stays.
        Assert.Contains("spin (", screen);
        Assert.DoesNotContain("q or Ctrl-C quits", screen);
        Assert.DoesNotContain("   at ", screen);
        target.AssertRunningFreely();
        await target.AssertUnharmedAsync();
    }

    [Fact]
    public async Task In_a_terminal_ctrl_c_quits_too()
    {
        await using var target = await PythonTarget.StartAsync(Interpreters.Default, "cpu_split.py");
        await using var terminal = await TerminalSession.StartAsync(
            $"{RepoPaths.HostBinary} run top -p {target.Pid} --idle; echo EXIT=$?; sleep 60");

        var screen = await terminal.WaitForAsync("q or Ctrl-C quits");
        screen = await WaitForSecondsAsync(terminal, 2);
        Assert.Contains("idle (", screen);
        await terminal.SendKeysAsync("C-c");
        screen = await terminal.WaitForAsync("EXIT=");

        Assert.Matches("EXIT=(0|130)", screen);
        target.AssertRunningFreely();
        await target.AssertUnharmedAsync();
    }

    [Theory]
    [MemberData(nameof(Interpreters.Labels), MemberType = typeof(Interpreters))]
    public async Task Through_a_pipe_one_table_is_printed_per_second(string python)
    {
        await using var target = await PythonTarget.StartAsync(Interpreters.Get(python), "cpu_split.py");

        var result = await HostRun.RunAsync("run", "top", "-p", target.Pid.ToString(CultureInfo.InvariantCulture), "--duration", "3.5");

        Assert.True(result.ExitCode == 0, result.ToString());
        var tables = TableHeader().Matches(result.Stdout);
        Assert.InRange(tables.Count, 2, 4);
        Assert.DoesNotContain("\x1b[", result.Stdout);
        foreach (var table in result.Stdout.Split("--- ", StringSplitOptions.RemoveEmptyEntries))
        {
            Assert.Contains("  own %  total %", table);
            Assert.Contains("spin (", table);
        }
        await target.AssertUnharmedAsync();
    }

    /// <summary>The screen once top's header says <paramref name="seconds"/> have passed: a table of whole seconds.</summary>
    private static async Task<string> WaitForSecondsAsync(TerminalSession terminal, int seconds) =>
        await terminal.WaitForAsync($", {seconds} s; ", timeout: TimeSpan.FromSeconds(seconds + 20));

    [GeneratedRegex(@"(?m)^--- \d\d:\d\d:\d\d process \d+, Python \S+\n\d+ Hz \(100 asked\), \d+ s; \d+ threads, \d+ busy; ")]
    private static partial Regex TableHeader();
}
