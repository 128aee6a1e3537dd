using Host.Abstractions;
using Host.Tests.Support;

namespace Host.Tests.Integration;

/// <summary>Wrong pids and wrong processes get one clear error line and a distinct exit code.</summary>
public sealed class BadInputTests
{
    [Theory]
    [InlineData(new string[0], "which process?")]
    [InlineData(new[] { "--pid", "0" }, "'0' is not a process id")]
    [InlineData(new[] { "--pid", "-5" }, "'-5' is not a process id")]
    [InlineData(new[] { "--pid", "abc" }, "'abc' is not a process id")]
    public async Task A_missing_or_malformed_pid_is_a_usage_error(string[] pidArguments, string message)
    {
        var result = await HostRun.RunAsync(new[] { "run", "stackdump" }.Concat(pidArguments));

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.StartsWith("error: ", result.Stderr);
        Assert.Contains(message, result.Stderr);
        Assert.Contains("hint: ", result.Stderr);
        Assert.DoesNotContain("   at ", result.Stderr);
    }

    [Fact]
    public async Task A_usage_error_after_a_valid_pid_leaves_no_session_and_an_untouched_target()
    {
        // Nothing may be made or touched before the whole command line is known to be valid.
        await using var target = await PythonTarget.StartAsync(Interpreters.Default, "threads_target.py");

        var result = await HostRun.RunAsync("run", "stackdump", "--pid", target.Pid.ToString(), "--format", "yaml");

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains("'yaml' not recognized", result.Stderr);
        result.AssertNoFilesLeft();
        await target.AssertUnharmedAsync();
    }

    [Fact]
    public async Task A_pid_with_no_process_is_not_found()
    {
        var result = await HostRun.RunAsync("run", "stackdump", "--pid", "4194000");

        Assert.Equal(ExitCodes.TargetNotFound, result.ExitCode);
        Assert.Contains("error: no process with pid 4194000", result.Stderr);
    }

    [Theory]
    [InlineData("auto")]
    [InlineData("read")]
    [InlineData("inject")]
    public async Task A_process_that_is_not_python_is_refused(string method)
    {
        using var sleep = System.Diagnostics.Process.Start("sleep", "60");
        try
        {
            var result = await HostRun.RunAsync("run", "stackdump", "--pid", sleep.Id.ToString(), "--method", method);

            Assert.Equal(ExitCodes.TargetNotFound, result.ExitCode);
            Assert.Contains($"error: process {sleep.Id} (sleep 60) is not a CPython process", result.Stderr);
            Assert.False(sleep.HasExited);
        }
        finally
        {
            sleep.Kill();
        }
    }

    [Fact]
    public async Task A_zombie_is_reported_as_exited()
    {
        await using var parent = await PythonTarget.StartAsync(Interpreters.Default, "zombie_parent.py");

        var result = await HostRun.RunAsync("run", "stackdump", "--pid", parent.Pid.ToString());

        Assert.Equal(ExitCodes.TargetNotFound, result.ExitCode);
        Assert.Contains("has exited (it is a zombie", result.Stderr);
    }

    [Fact]
    public async Task An_unknown_capability_is_a_usage_error_that_points_to_list()
    {
        var result = await HostRun.RunAsync("run", "no-such-thing", "--pid", "1");

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains("error: there is no capability or recipe named 'no-such-thing'", result.Stderr);
        Assert.Contains("hint: host list", result.Stderr);
    }

    [Fact]
    public async Task Help_of_a_capability_shows_its_own_options()
    {
        var result = await HostRun.RunAsync("run", "stackdump", "--help");

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("--locals", result.Stdout);
        Assert.Contains("--format <json|text>", result.Stdout);
        Assert.Contains("-p, --pid <pid>", result.Stdout);
    }
}
