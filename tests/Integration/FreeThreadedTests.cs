using Host.Abstractions;
using Host.Tests.Support;

namespace Host.Tests.Integration;

/// <summary>
/// Free-threaded builds: several threads run Python while host's agent does, and nothing host
/// puts in the target may race with them. The sequence that once crashed such a target (two dumps,
/// a trace, a pdb session), over and over, on threads that never stop running.
/// </summary>
public sealed class FreeThreadedTests
{
    [Theory]
    [MemberData(nameof(Interpreters.FreeThreadedLabels), MemberType = typeof(Interpreters))]
    public async Task Dumps_a_trace_and_pdb_twenty_times_leave_the_target_running_with_its_own_output(string python)
    {
        await using var target = await PythonTarget.StartAsync(Interpreters.Get(python), "busy_threads.py");
        var pid = target.Pid.ToString();
        var progress = await ProgressAsync(target);
        for (var round = 0; round < 20; round++)
        {
            var dump = await HostRun.RunAsync("run", "stackdump", "-p", pid);
            Assert.True(dump.ExitCode == ExitCodes.Ok, $"round {round}: {dump}");
            Assert.Contains($"Python {target.Interpreter.VersionText} (", dump.Stdout);
            foreach (var name in new[] { "MainThread", "t-sleep", "spinner-0", "spinner-1", "spinner-2", "spinner-3" })
                Assert.Contains($"\"{name}\"", dump.Stdout);
            Assert.Contains("in spin", dump.Stdout);

            var withLocals = await HostRun.RunAsync("run", "stackdump", "-p", pid, "--locals", "--format", "json");
            Assert.True(withLocals.ExitCode == ExitCodes.Ok, $"round {round}: {withLocals}");
            Assert.Contains("\"calls\"", withLocals.Stdout);

            // Millions of calls a second: what the trace shows is written away, not kept here.
            var trace = await HostRun.RunAsync("run", "settrace", "-p", pid, "--duration", "2", "-o", "/dev/null");
            Assert.True(trace.ExitCode == ExitCodes.Ok, $"round {round}: {trace}");
            Assert.Contains("host: tracing process", trace.Stderr);

            var pdb = await HostRun.RunAsync("run", "pdb", "-p", pid, "--commands", "where;continue");
            Assert.True(pdb.ExitCode == ExitCodes.Ok, $"round {round}: {pdb}");
            Assert.Contains("<module>", pdb.Stdout);
            Assert.Contains("detached", pdb.Stderr);

            // A thread that never leaves Python: it is stopped where it runs, steps, and runs on.
            var spinner = await HostRun.RunAsync("run", "pdb", "-p", pid, "--thread", $"spinner-{round % 4}", "--commands", "where;next;p 6 * 7;continue");
            Assert.True(spinner.ExitCode == ExitCodes.Ok, $"round {round}: {spinner}");
            Assert.Contains("spin()", spinner.Stdout);
            Assert.Contains("42", spinner.Stdout);

            foreach (var result in new[] { dump, withLocals, trace, pdb, spinner })
                result.AssertNoFilesLeft();
            target.AssertRunningFreely();
            var now = await ProgressAsync(target);
            Assert.True(now > progress, $"round {round}: the spinners stopped at {now} calls");
            progress = now;
        }
        await target.AssertUnharmedAsync();
    }

    private static async Task<long> ProgressAsync(PythonTarget target)
    {
        var answer = await target.AskAsync("progress");
        Assert.StartsWith("progress ", answer);
        return long.Parse(answer["progress ".Length..], System.Globalization.CultureInfo.InvariantCulture);
    }
}
