using System.Diagnostics;
using Host.Abstractions;
using Host.Tests.Support;

namespace Host.Tests.Integration;

/// <summary>Everything that can go wrong around an attach leaves the target as it was.</summary>
public sealed class FaultTests
{
    [Theory]
    [MemberData(nameof(Interpreters.Labels), MemberType = typeof(Interpreters))]
    public async Task A_stopped_target_is_refused_by_injection_and_left_stopped(string python)
    {
        await using var target = await PythonTarget.StartAsync(Interpreters.Get(python), "threads_target.py");
        Signals.Send(target.Pid, "STOP");
        while (Signals.State(target.Pid) != 'T')
            await Task.Delay(10);

        var result = await HostRun.RunAsync("run", "stackdump", "--pid", target.Pid.ToString(), "--method", "inject");

        Assert.Equal(ExitCodes.TargetNotFound, result.ExitCode);
        Assert.Contains("is stopped", result.Stderr);
        Assert.Contains($"kill -CONT {target.Pid}", result.Stderr);
        Assert.Equal('T', Signals.State(target.Pid));
        Signals.Send(target.Pid, "CONT");
        await target.AssertUnharmedAsync();
    }

    [Theory]
    [MemberData(nameof(Interpreters.Labels), MemberType = typeof(Interpreters))]
    public async Task A_stopped_target_is_read_from_outside_by_default_and_left_stopped(string python)
    {
        await using var target = await PythonTarget.StartAsync(Interpreters.Get(python), "threads_target.py");
        Signals.Send(target.Pid, "STOP");
        while (Signals.State(target.Pid) != 'T')
            await Task.Delay(10);

        var result = await HostRun.RunAsync("run", "stackdump", "--pid", target.Pid.ToString());

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("Read from outside", result.Stdout);
        Assert.Contains("the process is stopped", result.Stdout);
        Assert.Contains("in sleeping_worker", result.Stdout);
        Assert.Equal('T', Signals.State(target.Pid));
        Assert.False(Traced(target.Pid));
        Signals.Send(target.Pid, "CONT");
        await target.AssertUnharmedAsync();
    }

    [Fact]
    public async Task Without_gdb_the_error_names_the_package_to_install_when_gdb_is_needed()
    {
        // gdb is needed when the quick ptrace path cannot be used (HOST_INJECTOR=gdb stands for that).
        await using var target = await PythonTarget.StartAsync(Interpreters.Default, "threads_target.py");
        var bin = Directory.CreateTempSubdirectory("host-test-nogdb-").FullName;
        try
        {
            File.CreateSymbolicLink(Path.Combine(bin, "sh"), "/bin/sh");
            File.CreateSymbolicLink(Path.Combine(bin, "setsid"), "/usr/bin/setsid");

            var result = await HostRun.RunAsync(["run", "stackdump", "--pid", target.Pid.ToString()], environment: new Dictionary<string, string?> { ["PATH"] = bin, ["HOST_INJECTOR"] = "gdb" });

            Assert.Equal(ExitCodes.Failed, result.ExitCode);
            Assert.Contains("error: gdb was not found", result.Stderr);
            Assert.Contains("apt-get install gdb", result.Stderr);
            await target.AssertUnharmedAsync();
        }
        finally
        {
            Directory.Delete(bin, recursive: true);
        }
    }

    [Fact]
    public async Task The_quick_ptrace_path_dumps_without_gdb_installed()
    {
        await using var target = await PythonTarget.StartAsync(Interpreters.Default, "threads_target.py");
        var bin = Directory.CreateTempSubdirectory("host-test-nogdb-").FullName;
        try
        {
            var result = await HostRun.RunAsync(["run", "stackdump", "--pid", target.Pid.ToString()], environment: new Dictionary<string, string?> { ["PATH"] = bin });

            Assert.True(result.ExitCode == 0, result.ToString());
            Assert.Contains("in sleeping_worker", result.Stdout);
            result.AssertNoFilesLeft();
            await target.AssertUnharmedAsync();
        }
        finally
        {
            Directory.Delete(bin, recursive: true);
        }
    }

    [Theory]
    [MemberData(nameof(Interpreters.Labels), MemberType = typeof(Interpreters))]
    public async Task Injecting_where_a_thread_never_releases_the_GIL_times_out_and_the_target_keeps_running(string python)
    {
        await using var target = await PythonTarget.StartAsync(Interpreters.Get(python), "gil_holder.py", answersCommands: false);
        await Task.Delay(500);

        var result = await HostRun.RunAsync("run", "stackdump", "--pid", target.Pid.ToString(), "--timeout", "2", "--method", "inject");

        Assert.Equal(ExitCodes.Timeout, result.ExitCode);
        Assert.Contains("holds the GIL", result.Stderr);
        result.AssertNoFilesLeft();
        var cpuBefore = CpuTicks(target.Pid);
        await Task.Delay(300);
        Assert.True(CpuTicks(target.Pid) > cpuBefore, "the target should still be computing");
        target.AssertRunningFreely();
    }

    [Theory]
    [MemberData(nameof(Interpreters.Labels), MemberType = typeof(Interpreters))]
    public async Task Killing_host_with_SIGKILL_during_an_attach_leaves_the_target_running(string python)
    {
        await using var target = await PythonTarget.StartAsync(Interpreters.Get(python), "threads_target.py", ["--allocate"]);
        foreach (var delayMs in new[] { 30, 80, 130, 180, 250, 320, 400 })
        {
            using var host = HostRun.Start(["run", "stackdump", "--pid", target.Pid.ToString()]);
            await Task.Delay(delayMs);
            host.Kill();
            await host.WaitForExitAsync();
            await WaitUntilAsync(() => Signals.State(target.Pid) != 'T' && !Traced(target.Pid), TimeSpan.FromSeconds(1));
            target.AssertRunningFreely();
        }
        await target.AssertUnharmedAsync();
    }

    [Theory]
    [MemberData(nameof(Interpreters.Labels), MemberType = typeof(Interpreters))]
    public async Task Ctrl_C_during_a_dump_ends_cleanly_and_leaves_the_target_as_it_was(string python)
    {
        await using var target = await PythonTarget.StartAsync(Interpreters.Get(python), "threads_target.py");
        foreach (var delayMs in new[] { 50, 150, 300 })
        {
            using var host = HostRun.Start(["run", "stackdump", "--pid", target.Pid.ToString()]);
            var stderr = host.StandardError.ReadToEndAsync();
            await Task.Delay(delayMs);
            if (!host.HasExited)
                Signals.Send(host.Id, "INT");
            await host.WaitForExitAsync();
            Assert.True(host.ExitCode is ExitCodes.Ok or ExitCodes.Interrupted, $"exit {host.ExitCode}: {await stderr}");
            Assert.DoesNotContain("   at ", await stderr);
            new HostResult(host.ExitCode, "", "", host.Id).AssertNoFilesLeft();
            target.AssertRunningFreely();
        }
        await target.AssertUnharmedAsync();
    }

    [Theory]
    [MemberData(nameof(Interpreters.Labels), MemberType = typeof(Interpreters))]
    public async Task A_target_that_exits_while_being_dumped_gives_a_clear_error_and_leaves_no_files(string python)
    {
        // Reading takes milliseconds, so its lifetimes are shorter: each run should land somewhere in the read.
        var runs = new[] { "0.02", "0.05", "0.08", "0.1", "0.13", "0.15", "0.18", "0.2", "0.25", "0.3", "0.35", "0.5" }.Select(l => (Lifetime: l, Method: "auto"))
            .Concat(new[] { "0.01", "0.02", "0.03", "0.04", "0.05", "0.06", "0.08" }.Select(l => (Lifetime: l, Method: "read")));
        foreach (var (lifetime, method) in runs)
        {
            await using var target = await PythonTarget.StartAsync(Interpreters.Get(python), "exits_soon.py", [lifetime], answersCommands: false);

            var result = await HostRun.RunAsync("run", "stackdump", "--pid", target.Pid.ToString(), "--method", method);

            Assert.True(result.ExitCode is ExitCodes.Ok or ExitCodes.TargetNotFound, result.ToString());
            if (result.ExitCode != 0)
                Assert.Matches("exited|no process", result.Stderr);
            Assert.DoesNotContain("   at ", result.Stderr);
            result.AssertNoFilesLeft();
        }
    }

    [Fact]
    public async Task A_target_in_its_own_mount_namespace_with_a_private_tmp_is_dumped()
    {
        var python = Interpreters.Default;
        // The checkout may itself live under /tmp, which the target's namespace hides: run a copy.
        var outside = Path.Combine("/var/tmp", $"host-test-{Guid.NewGuid():N}");
        Directory.CreateDirectory(outside);
        try
        {
            var script = Path.Combine(outside, "threads_target.py");
            File.Copy(RepoPaths.Fixture("threads_target.py"), script);
            var wrapper = new[] { "unshare", "--mount", "--propagation", "private", "sh", "-c", "mount -t tmpfs tmpfs /tmp && exec \"$0\" \"$@\"" };
            await using var target = await PythonTarget.StartAsync(python, script, wrapper: wrapper);
            Assert.NotEqual(new FileInfo("/proc/self/ns/mnt").LinkTarget, new FileInfo($"/proc/{target.Pid}/ns/mnt").LinkTarget);

            var result = await HostRun.RunAsync("run", "stackdump", "--pid", target.Pid.ToString());

            Assert.True(result.ExitCode == 0, result.ToString());
            Assert.Contains("in sleeping_worker", result.Stdout);
            Assert.Empty(Directory.GetFileSystemEntries($"/proc/{target.Pid}/root/tmp"));
            await target.AssertUnharmedAsync();
        }
        finally
        {
            Directory.Delete(outside, recursive: true);
        }
    }

    [Fact]
    public async Task A_chrooted_target_is_dumped_through_a_session_under_its_own_root()
    {
        // A chroot keeps host's mount namespace: only the root directory tells that the target
        // sees other files (its /tmp is the tree's), which once made the agent's dlopen fail.
        var python = Interpreters.All.FirstOrDefault(i => i.Confinement == Confinement.Chroot)
            ?? throw new InvalidOperationException("no chroot'ed interpreter: " + string.Join("; ", Interpreters.Missing));
        await using var target = await PythonTarget.StartAsync(python, "threads_target.py");
        Assert.Equal(new FileInfo("/proc/self/ns/mnt").LinkTarget, new FileInfo($"/proc/{target.Pid}/ns/mnt").LinkTarget);

        var result = await HostRun.RunAsync(["run", "stackdump", "--pid", target.Pid.ToString()], environment: new Dictionary<string, string?> { ["HOST_INJECTOR"] = null });
        var throughGdb = await HostRun.RunAsync(["run", "stackdump", "--pid", target.Pid.ToString()], environment: new Dictionary<string, string?> { ["HOST_INJECTOR"] = "gdb" });

        foreach (var run in new[] { result, throughGdb })
        {
            Assert.True(run.ExitCode == 0, run.ToString());
            Assert.Contains("in sleeping_worker", run.Stdout);
            run.AssertNoFilesLeft();
        }
        await target.AssertUnharmedAsync();
    }

    [Fact]
    public async Task Two_hundred_dumps_of_a_busy_allocating_target_are_all_complete()
    {
        await using var target = await PythonTarget.StartAsync(Interpreters.Default, "threads_target.py", ["--allocate"]);
        var names = new[] { "MainThread", "sleeper", "waiter", "allocator-0", "allocator-1", "allocator-2" };
        for (var i = 0; i < 200; i++)
        {
            var result = await HostRun.RunAsync("run", "stackdump", "--pid", target.Pid.ToString());
            Assert.True(result.ExitCode == 0, $"dump {i}: {result}");
            foreach (var name in names)
                Assert.Contains($"\"{name}\"", result.Stdout);
            Assert.Contains(", 6 threads", result.Stdout);
            result.AssertNoFilesLeft();
        }
        await target.AssertUnharmedAsync();
    }

    [Theory]
    [MemberData(nameof(Interpreters.Labels), MemberType = typeof(Interpreters))]
    public async Task When_no_thread_reaches_a_safe_point_the_attach_gives_up_at_the_deadline_and_leaves_the_target_running(string python)
    {
        // The lone thread waits in read(); declaring read unsafe forces the fallback: load every
        // library's symbols, run the frame to its end (it never ends), stop at the deadline, detach.
        await using var target = await PythonTarget.StartAsync(Interpreters.Get(python), "lone_main.py");
        var environment = new Dictionary<string, string?> { ["HOST_EXTRA_UNSAFE_FRAMES"] = "read|__libc_read|__GI___libc_read|__read_nocancel|__libc_read_nocancel" };

        var result = await HostRun.RunAsync(["run", "stackdump", "--pid", target.Pid.ToString(), "--timeout", "2", "--method", "inject"], environment: environment);

        // This message comes from gdb's own deadline, not from the host having to stop gdb.
        Assert.Equal(ExitCodes.Timeout, result.ExitCode);
        Assert.Contains("reached a safe point", result.Stderr);
        result.AssertNoFilesLeft();
        target.AssertRunningFreely();
        await target.AssertUnharmedAsync();
    }

    private static async Task WaitUntilAsync(Func<bool> condition, TimeSpan limit)
    {
        var watch = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(watch.Elapsed < limit, "the target was still stopped or traced after " + limit);
            await Task.Delay(20);
        }
    }

    private static bool Traced(int pid) =>
        File.ReadAllLines($"/proc/{pid}/status").Single(l => l.StartsWith("TracerPid:", StringComparison.Ordinal)) != "TracerPid:\t0";

    private static long CpuTicks(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return long.Parse(fields[11]) + long.Parse(fields[12]);
    }
}
