using System.Diagnostics;
using Host.Abstractions;
using Host.Tests.Support;

namespace Host.Tests.Integration;

/// <summary>
/// A non-root user may trace its own processes but not root's. The test creates that user; it needs
/// to run as root (as CI does) and says so plainly otherwise.
/// </summary>
public sealed class PermissionTests
{
    private const string User = "host-test-user";

    [Theory]
    [InlineData("auto")]
    [InlineData("read")]
    [InlineData("inject")]
    public async Task A_user_attaching_to_a_root_process_is_told_why_it_is_denied(string method)
    {
        var python = PrepareUserAndPython();
        await using var target = await PythonTarget.StartAsync(python, "threads_target.py");

        var result = await HostRun.RunAsync(["run", "stackdump", "--pid", target.Pid.ToString(), "--method", method], asUser: User);

        Assert.Equal(ExitCodes.PermissionDenied, result.ExitCode);
        Assert.Contains($"error: permission denied: process {target.Pid} belongs to root (uid 0) and you are {User}", result.Stderr);
        Assert.Contains("hint: run it as root", result.Stderr);
        await target.AssertUnharmedAsync();
    }

    [Theory]
    [InlineData("auto")]
    [InlineData("read")]
    [InlineData("inject")]
    public async Task A_user_can_dump_its_own_process(string method)
    {
        var python = PrepareUserAndPython();
        await using var target = await PythonTarget.StartAsync(python, "threads_target.py", wrapper: ["runuser", "-u", User, "--"]);

        var result = await HostRun.RunAsync(["run", "stackdump", "--pid", target.Pid.ToString(), "--method", method], asUser: User);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("in sleeping_worker", result.Stdout);
        await target.AssertUnharmedAsync();
    }

    [Fact]
    public async Task Root_dumping_another_users_process_hands_the_session_files_to_that_user()
    {
        var python = PrepareUserAndPython();
        await using var target = await PythonTarget.StartAsync(python, "threads_target.py", wrapper: ["runuser", "-u", User, "--"]);

        var result = await HostRun.RunAsync("run", "stackdump", "--pid", target.Pid.ToString());

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("in sleeping_worker", result.Stdout);
        result.AssertNoFilesLeft();
        await target.AssertUnharmedAsync();
    }

    /// <summary>The test user exists, and the interpreter it can run (Debian's, not root's pyenv).</summary>
    private static Interpreter PrepareUserAndPython()
    {
        EnsureUser();
        return Interpreters.System ?? throw new InvalidOperationException("this test needs /usr/bin/python3, which every user can run");
    }

    private static void EnsureUser()
    {
        Assert.True(Environment.UserName == "root", "the permission tests create a user and must run as root");
        using var id = Process.Start(new ProcessStartInfo("id", User) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        id.WaitForExit();
        if (id.ExitCode == 0)
            return;
        using var add = Process.Start("useradd", ["--create-home", User])!;
        add.WaitForExit();
        Assert.Equal(0, add.ExitCode);
    }
}
