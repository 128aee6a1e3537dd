using System.Diagnostics;
using System.Text.Json;
using Host.Abstractions;
using Host.Linux;
using Host.Processes;
using Host.Reading.Layouts;
using Host.Tests.Support;

namespace Host.Tests.Integration;

/// <summary>
/// Reading a target from outside, on every interpreter: nothing is run in the target, and what is
/// read is what the injected dump (the interpreter's own view) shows.
/// </summary>
public sealed class ReadingTests
{
    [Theory]
    [MemberData(nameof(Interpreters.Labels), MemberType = typeof(Interpreters))]
    public async Task The_interpreter_is_found_from_outside_with_a_layout_for_its_version(string python)
    {
        await using var target = await PythonTarget.StartAsync(Interpreters.Get(python), "threads_target.py");
        var process = TargetInspector.Inspect(target.Pid);
        using var memory = new ProcessMemory(target.Pid);

        var found = InterpreterFinder.Find(process, memory);

        var version = target.Interpreter.Version;
        Assert.Equal((version.Major, version.Minor), (found.Layout.Major, found.Layout.Minor));
        Assert.Equal(target.Interpreter.IsFreeThreaded, found.Layout.FreeThreaded);
        // 2.7 and 3.6 start from their interp_head variable, the others from _PyRuntime; 3.13+ from its own table.
        Assert.Equal(version >= new Version(3, 13) ? FrameChain.Direct : version >= new Version(3, 11) ? FrameChain.ThroughCFrame : FrameChain.FrameObjects, found.Layout.Chain);
        target.AssertRunningFreely();
        await target.AssertUnharmedAsync();
    }

    [Theory]
    [MemberData(nameof(Interpreters.Labels), MemberType = typeof(Interpreters))]
    public async Task Read_from_outside_the_threads_frames_and_lines_are_those_the_injected_dump_shows(string python)
    {
        await using var target = await PythonTarget.StartAsync(Interpreters.Get(python), "threads_target.py");
        var pid = target.Pid.ToString(System.Globalization.CultureInfo.InvariantCulture);

        var before = await HostRun.RunAsync("run", "stackdump", "-p", pid, "--method", "read", "--format", "json");
        var injected = await HostRun.RunAsync("run", "stackdump", "-p", pid, "--method", "inject", "--format", "json");
        var after = await HostRun.RunAsync("run", "stackdump", "-p", pid, "--method", "read", "--format", "json");

        foreach (var run in new[] { before, injected, after })
            Assert.True(run.ExitCode == 0, run.ToString());
        using var first = JsonDocument.Parse(before.Stdout);
        using var inside = JsonDocument.Parse(injected.Stdout);
        using var second = JsonDocument.Parse(after.Stdout);
        Assert.Equal("read", first.RootElement.GetProperty("method").GetString());
        Assert.True(first.RootElement.GetProperty("threads_stopped").GetBoolean());
        Assert.Equal("inject", inside.RootElement.GetProperty("method").GetString());
        var read = Threads(first);
        var reread = Threads(second);
        var reference = Threads(inside);
        // The injected dump has the agent's own thread left out; every other thread is the same.
        Assert.Equal(reference.Keys.Order(), read.Keys.Order());
        var compared = 0;
        foreach (var (ident, thread) in reference)
        {
            if (thread.NativeId is not null)
                Assert.Equal(thread.NativeId, read[ident].NativeId);
            Assert.Equal((thread.Name, thread.Daemon, thread.Main), (read[ident].Name, read[ident].Daemon, read[ident].Main));
            // A thread that moved between the reads (its loop woke up) cannot be compared.
            if (!read[ident].Frames.SequenceEqual(reread[ident].Frames))
                continue;
            Assert.Equal(thread.Frames, read[ident].Frames);
            Assert.NotEmpty(thread.Frames);
            compared++;
        }
        Assert.True(compared >= 2, $"only {compared} threads held still long enough to compare:\n{injected.Stdout}\n{before.Stdout}");
        target.AssertRunningFreely();
        await target.AssertUnharmedAsync();
    }

    [Theory]
    [MemberData(nameof(Interpreters.Labels), MemberType = typeof(Interpreters))]
    public async Task A_hung_target_is_dumped_with_no_option_in_under_2_s_and_runs_on_with_no_thread_added(string python)
    {
        await using var target = await PythonTarget.StartAsync(Interpreters.Get(python), "deadlock.py", answersCommands: false);
        var tasks = ProcTasks.Ids(target.Pid).Order().ToList();
        Assert.Equal(4, tasks.Count);
        // Between "ready" and its long call the hog may still hand the GIL over once: let the main
        // thread's last 50 ms sleep end, so that it waits for the GIL for good.
        await Task.Delay(TimeSpan.FromMilliseconds(200));

        var clock = Stopwatch.StartNew();
        var dump = await HostRun.RunAsync("run", "stackdump", "-p", target.Pid.ToString(System.Globalization.CultureInfo.InvariantCulture), "--format", "json");
        clock.Stop();

        Assert.True(dump.ExitCode == 0, dump.ToString());
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2), $"the dump took {clock.Elapsed}");
        using var json = JsonDocument.Parse(dump.Stdout);
        Assert.Equal("read", json.RootElement.GetProperty("method").GetString());
        Assert.False(string.IsNullOrEmpty(json.RootElement.GetProperty("reason").GetString()));
        var threads = json.RootElement.GetProperty("threads").EnumerateArray().ToList();
        Assert.Equal(4, threads.Count);
        string Innermost(JsonElement thread) => thread.GetProperty("frames").EnumerateArray().Last().GetProperty("function").GetString()!;
        // A deadlocked thread may be still inside Event.wait(), waiting for the GIL it will never get back.
        var functions = threads.SelectMany(t => t.GetProperty("frames").EnumerateArray().Select(f => f.GetProperty("function").GetString())).ToList();
        Assert.Contains("take_first_then_second", functions);
        Assert.Contains("take_second_then_first", functions);
        var holder = threads.Single(t => t.GetProperty("frames").GetArrayLength() > 0 && Innermost(t) == "hold_the_gil");
        if (!target.Interpreter.IsFreeThreaded)
            Assert.True(holder.GetProperty("gil").GetBoolean(), dump.Stdout);
        Assert.Equal("running", holder.GetProperty("state").GetString());
        var main = Assert.Single(threads, t => t.GetProperty("main").GetBoolean());
        // It wakes every 50 ms and then waits for the GIL for good: asleep on a futex of the GIL's own
        // (its timed wait wakes every 5 ms to ask the holder again, so it may be caught running).
        if (!target.Interpreter.IsFreeThreaded)
            Assert.Contains(main.GetProperty("state").GetString(), new[] { ThreadStates.WaitingForGil, ThreadStates.Running });

        Assert.Equal(tasks, ProcTasks.Ids(target.Pid).Order().ToList());
        target.AssertRunningFreely();
        Assert.Equal("", target.Errors);
    }

    [Theory]
    [MemberData(nameof(Interpreters.Labels), MemberType = typeof(Interpreters))]
    public async Task Read_from_outside_locals_of_simple_types_show_their_values_and_others_their_type(string python)
    {
        await using var target = await PythonTarget.StartAsync(Interpreters.Get(python), "threads_target.py");

        var dump = await HostRun.RunAsync("run", "stackdump", "-p", target.Pid.ToString(System.Globalization.CultureInfo.InvariantCulture), "--method", "read", "--locals", "--format", "json");

        Assert.True(dump.ExitCode == 0, dump.ToString());
        using var json = JsonDocument.Parse(dump.Stdout);
        var frames = json.RootElement.GetProperty("threads").EnumerateArray()
            .SelectMany(t => t.GetProperty("frames").EnumerateArray())
            .Where(f => f.GetProperty("function").GetString() == "sleeping_worker").ToList();
        Assert.NotEmpty(frames);
        foreach (var frame in frames)
        {
            var locals = frame.GetProperty("locals").EnumerateArray().ToDictionary(p => p[0].GetString()!, p => p[1].GetString()!);
            Assert.Equal("'sleeper-local-42'", locals["marker"]);
            Assert.Equal("<list of 1000>", locals["numbers"]);
            Assert.Matches("^<BadRepr at 0x[0-9a-f]+>$", locals["broken"]);
            Assert.Matches("^0\\.[0-9]+$", locals["interval"]);
        }
        target.AssertRunningFreely();
        await target.AssertUnharmedAsync();
    }

    [Theory]
    [MemberData(nameof(Interpreters.Labels), MemberType = typeof(Interpreters))]
    public async Task Killing_host_while_it_holds_the_threads_stopped_lets_them_run_on(string python)
    {
        await using var target = await PythonTarget.StartAsync(Interpreters.Get(python), "threads_target.py");
        var hold = new Dictionary<string, string?> { ["HOST_TEST_HOLD_STOPPED_MS"] = "20000" };
        using var host = HostRun.Start(["run", "stackdump", "-p", target.Pid.ToString(System.Globalization.CultureInfo.InvariantCulture), "--method", "read"], hold);

        // Every thread stopped and traced by host: the read is holding them.
        Assert.True(await Eventually(() => ProcTasks.Ids(target.Pid).All(tid => ProcTasks.State(target.Pid, tid) == 't'), TimeSpan.FromSeconds(10)), "the threads were never all stopped");
        host.Kill();
        await host.WaitForExitAsync();

        Assert.True(await Eventually(() => ProcTasks.Ids(target.Pid).All(tid => ProcTasks.State(target.Pid, tid) is 'S' or 'R'), TimeSpan.FromSeconds(2)), "the threads stayed stopped");
        target.AssertRunningFreely();
        await target.AssertUnharmedAsync();
    }

    [Fact]
    public async Task A_target_in_a_pid_namespace_of_its_own_is_read_with_its_own_thread_ids()
    {
        // Every interpreter that runs unconfined, so that both ways of finding native ids (the thread
        // state's, and before 3.11 the C library's thread struct) are covered.
        var pythons = Interpreters.All.Where(i => i.Confinement == Confinement.None).ToList();
        Assert.NotEmpty(pythons);
        foreach (var python in pythons)
        {
            await using var target = await PythonTarget.StartAsync(python, "threads_target.py", wrapper: ["unshare", "--pid", "--fork", "--mount-proc"]);
            Assert.Equal(1, target.Pid); // as the target sees itself
            var unshare = target.WrapperPid;
            var pid = int.Parse(File.ReadAllText($"/proc/{unshare}/task/{unshare}/children").Trim(), System.Globalization.CultureInfo.InvariantCulture);

            var read = await HostRun.RunAsync("run", "stackdump", "-p", pid.ToString(System.Globalization.CultureInfo.InvariantCulture), "--method", "read", "--format", "json");
            var injected = await HostRun.RunAsync("run", "stackdump", "-p", pid.ToString(System.Globalization.CultureInfo.InvariantCulture), "--method", "inject", "--format", "json");

            Assert.True(read.ExitCode == 0, $"{python}: {read}");
            Assert.True(injected.ExitCode == 0, $"{python}: {injected}");
            using var outside = JsonDocument.Parse(read.Stdout);
            using var inside = JsonDocument.Parse(injected.Stdout);
            var main = Threads(outside).Values.Single(t => t.Main);
            Assert.Equal(1, main.NativeId);
            Assert.Equal("MainThread", main.Name);
            var reference = Threads(inside);
            foreach (var (ident, thread) in Threads(outside))
            {
                if (reference[ident].NativeId is { } native)
                    Assert.Equal(native, thread.NativeId);
                Assert.Equal(reference[ident].Name, thread.Name);
            }
            await target.AssertUnharmedAsync();
        }
    }

    private static async Task<bool> Eventually(Func<bool> condition, TimeSpan bound)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (clock.Elapsed > bound)
                return false;
            await Task.Delay(10);
        }
        return true;
    }

    private sealed record ThreadView(long? NativeId, string? Name, bool? Daemon, bool Main, List<(string File, string Function, int? Line, string? Source)> Frames);

    private static Dictionary<long, ThreadView> Threads(JsonDocument dump) =>
        dump.RootElement.GetProperty("threads").EnumerateArray().ToDictionary(
            t => t.GetProperty("ident").GetInt64(),
            t => new ThreadView(
                t.GetProperty("native_id").ValueKind == JsonValueKind.Number ? t.GetProperty("native_id").GetInt64() : null,
                t.GetProperty("name").GetString(),
                t.GetProperty("daemon").ValueKind == JsonValueKind.Null ? null : t.GetProperty("daemon").GetBoolean(),
                t.GetProperty("main").GetBoolean(),
                [.. t.GetProperty("frames").EnumerateArray().Select(f => (
                    f.GetProperty("file").GetString()!,
                    f.GetProperty("function").GetString()!,
                    f.GetProperty("line").ValueKind == JsonValueKind.Number ? f.GetProperty("line").GetInt32() : (int?)null,
                    f.GetProperty("source").GetString()))]));
}
