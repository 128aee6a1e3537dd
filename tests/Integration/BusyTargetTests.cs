using Host.Abstractions;
using Host.Tests.Support;

namespace Host.Tests.Integration;

/// <summary>
/// A target whose one thread runs Python without pause and is never in a system call: the thread
/// host must use is interrupted wherever it is. On 3.15 under another root this once killed the
/// target (host-inject read the host's libraries' unwind rules, gdb then called into the host's libc).
/// </summary>
public sealed class BusyTargetTests
{
    [Theory]
    [MemberData(nameof(Interpreters.Labels), MemberType = typeof(Interpreters))]
    public async Task One_busy_thread_and_none_in_a_system_call_is_dumped_traced_and_debugged_and_runs_on(string python)
    {
        await using var target = await PythonTarget.StartAsync(Interpreters.Get(python), "spinner.py", answersCommands: false);
        var pid = target.Pid.ToString();

        var dump = await HostRun.RunAsync("run", "stackdump", "-p", pid);
        Assert.True(dump.ExitCode == ExitCodes.Ok, dump.ToString());
        Assert.Contains("in spin", dump.Stdout);
        await AssertStillSpinningAsync(target, dump);

        var trace = await HostRun.RunAsync("run", "settrace", "-p", pid, "--duration", "1", "--events", "call,return");
        Assert.True(trace.ExitCode == ExitCodes.Ok, trace.ToString());
        Assert.Contains("tracing removed from process", trace.Stdout + trace.Stderr);
        await AssertStillSpinningAsync(target, trace);

        var pdb = await HostRun.RunAsync("run", "pdb", "-p", pid, "--commands", "where;p x >= 0;continue");
        Assert.True(pdb.ExitCode == ExitCodes.Ok, pdb.ToString());
        Assert.Contains("spin()", pdb.Stdout);
        Assert.Contains("True", pdb.Stdout);
        await AssertStillSpinningAsync(target, pdb);

        Signals.Send(target.Pid, "TERM");
        Assert.Equal(3, await target.WaitForExitAsync());
        Assert.Equal("bye", await target.NextLineAsync());
        Assert.Equal("", target.Errors);
    }

    private static async Task AssertStillSpinningAsync(PythonTarget target, HostResult result)
    {
        result.AssertNoFilesLeft();
        target.AssertRunningFreely();
        var before = CpuTicks(target.Pid);
        await Task.Delay(200);
        Assert.True(CpuTicks(target.Pid) > before, "the target stopped computing");
    }

    private static long CpuTicks(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return long.Parse(fields[11]) + long.Parse(fields[12]);
    }
}
