using System.Text.Json;
using Host.Abstractions;
using Host.Tests.Support;

namespace Host.Tests.Integration;

/// <summary>`host run settrace` against real processes, on every CPython found on the machine.</summary>
public sealed class SettraceTests
{
    private const string Tracing = "host: tracing process";

    [Theory]
    [MemberData(nameof(Interpreters.Labels), MemberType = typeof(Interpreters))]
    public async Task Settrace_shows_calls_of_every_thread_and_leaves_no_hook_after_ctrl_c(string python)
    {
        await using var target = await PythonTarget.StartAsync(Interpreters.Get(python), "trace_target.py");
        await using var host = RunningHost.Start(["run", "settrace", "-p", target.Pid.ToString(), "--format", "json", "--events", "call,return"]);
        await host.WaitForStderrAsync(Tracing);

        Assert.Equal("spawned", await target.AskAsync("spawn"));
        Assert.Equal("worked", await target.AskAsync("work"));
        Assert.NotEqual("hooks none", await target.AskAsync("hooks"));
        await Task.Delay(300);
        host.Signal("INT");
        var result = await host.WaitAsync();

        Assert.True(result.ExitCode == 0, result.ToString());
        var events = Events(result.Stdout);
        Assert.Contains(events, e => Is(e, "call", "main_work", "MainThread"));
        Assert.Contains(events, e => Is(e, "call", "early_task", "early"));
        Assert.Contains(events, e => Is(e, "call", "late_task", "late"));
        var nested = Assert.Single(events, e => Is(e, "call", "nested_leaf", "MainThread"));
        Assert.Equal(1, nested.GetProperty("depth").GetInt32());
        var returned = Assert.Single(events, e => Is(e, "return", "main_work", "MainThread"));
        Assert.True(returned.GetProperty("elapsed").GetDouble() > 0);
        Assert.DoesNotContain(events, e => e.TryGetProperty("file", out var file) && file.GetString()!.EndsWith("threading.py", StringComparison.Ordinal));
        var summary = events[^1];
        Assert.Equal("summary", summary.GetProperty("event").GetString());
        Assert.Equal(0, summary.GetProperty("dropped").GetInt64());
        Assert.Equal(events.Count - 1, summary.GetProperty("shown").GetInt64());
        Assert.Equal("hooks none", await target.AskAsync("hooks"));
        result.AssertNoFilesLeft();
        target.AssertRunningFreely();
        await target.AssertUnharmedAsync();
    }

    [Theory]
    [MemberData(nameof(Interpreters.Labels), MemberType = typeof(Interpreters))]
    public async Task Settrace_filters_by_name_thread_and_depth_inside_the_target(string python)
    {
        await using var target = await PythonTarget.StartAsync(Interpreters.Get(python), "trace_target.py");
        Assert.Equal("spawned", await target.AskAsync("spawn"));

        var byName = await TraceAsync(target, "--filter", "*_task,*nested*", "--exclude", "*late*,*leaf");
        var functions = byName.Select(e => e.GetProperty("function").GetString()).ToHashSet();
        Assert.Equal(["early_task"], functions);

        var byThread = await TraceAsync(target, "--thread", "late", "--max-depth", "0");
        Assert.NotEmpty(byThread);
        Assert.All(byThread, e => Assert.Equal("late", e.GetProperty("thread").GetString()));
        Assert.All(byThread, e => Assert.Equal(0, e.GetProperty("depth").GetInt32()));
        Assert.Contains(byThread, e => Is(e, "call", "late_task", "late"));
        Assert.DoesNotContain(byThread, e => e.GetProperty("function").GetString() == "nested_leaf");

        Assert.Equal("hooks none", await target.AskAsync("hooks"));
        await target.AssertUnharmedAsync();
    }

    [Theory]
    [MemberData(nameof(Interpreters.Labels), MemberType = typeof(Interpreters))]
    public async Task Settrace_reports_exceptions_and_they_propagate_as_before(string python)
    {
        await using var target = await PythonTarget.StartAsync(Interpreters.Get(python), "trace_target.py");
        await using var host = RunningHost.Start(["run", "settrace", "-p", target.Pid.ToString(), "--events", "call,return,exception", "--filter", "*raiser,*catcher"]);
        await host.WaitForStderrAsync(Tracing);

        Assert.Equal("caught ValueError", await target.AskAsync("raise"));
        await Task.Delay(200);
        host.Signal("INT");
        var result = await host.WaitAsync();

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("-> catcher (", result.Stdout);
        Assert.Contains("!! ValueError in raiser (", result.Stdout);
        Assert.Contains("<- raiser (exception)", result.Stdout);
        Assert.Contains("<- catcher  ", result.Stdout);
        Assert.Equal("hooks none", await target.AskAsync("hooks"));
        await target.AssertUnharmedAsync();
    }

    [Theory]
    [MemberData(nameof(Interpreters.Labels), MemberType = typeof(Interpreters))]
    public async Task Settrace_hooks_remove_themselves_when_host_is_killed(string python)
    {
        await using var target = await PythonTarget.StartAsync(Interpreters.Get(python), "trace_target.py");
        await using var host = RunningHost.Start(["run", "settrace", "-p", target.Pid.ToString()]);
        await host.WaitForStderrAsync(Tracing);
        Assert.NotEqual("hooks none", await target.AskAsync("hooks"));

        host.Signal("KILL");
        await host.WaitAsync();

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(1);
        string hooks;
        while ((hooks = await target.AskAsync("hooks")) != "hooks none" && DateTime.UtcNow < deadline)
            await Task.Delay(50);
        Assert.Equal("hooks none", hooks);
        Assert.Equal("worked", await target.AskAsync("work"));
        target.AssertRunningFreely();
        await target.AssertUnharmedAsync();
    }

    [Theory]
    [MemberData(nameof(Interpreters.Labels), MemberType = typeof(Interpreters))]
    public async Task Settrace_drops_and_counts_events_instead_of_stalling_the_target_for_a_slow_reader(string python)
    {
        await using var target = await PythonTarget.StartAsync(Interpreters.Get(python), "trace_target.py");
        await using var host = RunningHost.Start(["run", "settrace", "-p", target.Pid.ToString(), "--filter", "*tiny"], readStdout: false);
        await host.WaitForStderrAsync(Tracing);

        // Nobody reads host's output, so host stops reading the target: the target must not wait.
        Assert.Equal("burst done", await target.AskAsync("burst 2000000"));
        host.Signal("INT");
        host.ReadStdout();
        var result = await host.WaitAsync();

        Assert.True(result.ExitCode == 0, result.ToString());
        var summary = result.Stdout.Split('\n').Single(l => l.StartsWith("--- ", StringComparison.Ordinal) && l.Contains("dropped"));
        var dropped = long.Parse(summary.Split("; ")[1].Split(' ')[0]);
        Assert.True(dropped > 0, summary);
        Assert.Equal("hooks none", await target.AskAsync("hooks"));
        await target.AssertUnharmedAsync();
    }

    [Theory]
    [MemberData(nameof(Interpreters.Labels), MemberType = typeof(Interpreters))]
    public async Task Settrace_lossless_makes_the_target_wait_for_a_slow_reader_and_drops_nothing(string python)
    {
        await using var target = await PythonTarget.StartAsync(Interpreters.Get(python), "trace_target.py");
        await using var host = RunningHost.Start(["run", "settrace", "-p", target.Pid.ToString(), "--filter", "*tiny", "--lossless"], readStdout: false);
        await host.WaitForStderrAsync(Tracing);

        var burst = target.AskAsync("burst 300000");
        await Task.Delay(500);
        host.ReadStdout();
        Assert.Equal("burst done", await burst);
        host.Signal("INT");
        var result = await host.WaitAsync();

        Assert.True(result.ExitCode == 0, result.ToString());
        var summary = result.Stdout.Split('\n').Single(l => l.StartsWith("--- ", StringComparison.Ordinal) && l.Contains("dropped"));
        Assert.StartsWith("--- 300000 events shown in ", summary);
        Assert.Contains("; 0 dropped;", summary);
        Assert.Equal("hooks none", await target.AskAsync("hooks"));
        await target.AssertUnharmedAsync();
    }

    [Theory]
    [MemberData(nameof(Interpreters.Labels), MemberType = typeof(Interpreters))]
    public async Task Settrace_ends_cleanly_when_the_target_exits_and_the_target_exits_as_it_would_have(string python)
    {
        await using var target = await PythonTarget.StartAsync(Interpreters.Get(python), "trace_target.py");
        await using var host = RunningHost.Start(["run", "settrace", "-p", target.Pid.ToString()]);
        await host.WaitForStderrAsync(Tracing);
        Assert.Equal("worked", await target.AskAsync("work"));

        await target.QuitAndAssertExitAsync();
        var result = await host.WaitAsync();

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("-> main_work (", result.Stdout);
        Assert.Contains($"tracing ended: process {target.Pid} exited", result.Stdout);
        result.AssertNoFilesLeft();
    }

    [Fact]
    public async Task A_second_settrace_of_the_same_process_is_refused_and_the_first_keeps_going()
    {
        await using var target = await PythonTarget.StartAsync(Interpreters.Default, "trace_target.py");
        await using var first = RunningHost.Start(["run", "settrace", "-p", target.Pid.ToString(), "--filter", "*main_work"]);
        await first.WaitForStderrAsync(Tracing);

        var second = await HostRun.RunAsync("run", "settrace", "-p", target.Pid.ToString(), "--duration", "1");
        Assert.Equal("worked", await target.AskAsync("work"));
        await Task.Delay(200);
        first.Signal("INT");
        var result = await first.WaitAsync();

        Assert.Equal(ExitCodes.Failed, second.ExitCode);
        Assert.Contains("error: tracing failed inside the target: another `host run settrace` is already tracing this process", second.Stderr);
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("-> main_work (", result.Stdout);
        Assert.Equal("hooks none", await target.AskAsync("hooks"));
        await target.AssertUnharmedAsync();
    }

    [Fact]
    public async Task Settrace_stops_and_removes_its_hooks_when_its_reader_goes_away()
    {
        await using var target = await PythonTarget.StartAsync(Interpreters.Default, "trace_target.py");
        await using var host = RunningHost.Start(["run", "settrace", "-p", target.Pid.ToString()], readStdout: false);
        await host.WaitForStderrAsync(Tracing);

        Assert.Equal("worked", await target.AskAsync("work"));
        Assert.Contains("-> ", await host.ReadLineThenCloseStdoutAsync());
        Assert.Equal("worked", await target.AskAsync("work"));
        var result = await host.WaitAsync(TimeSpan.FromSeconds(15));

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.DoesNotContain("error", result.Stderr);
        Assert.Equal("hooks none", await target.AskAsync("hooks"));
        result.AssertNoFilesLeft();
        await target.AssertUnharmedAsync();
    }

    [Fact]
    public async Task Settrace_rejects_unknown_events_before_touching_the_target()
    {
        await using var target = await PythonTarget.StartAsync(Interpreters.Default, "trace_target.py");

        var result = await HostRun.RunAsync("run", "settrace", "-p", target.Pid.ToString(), "--events", "call,line");

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains("error: --events: 'line' is not an event", result.Stderr);
        await target.AssertUnharmedAsync();
    }

    private static async Task<List<JsonElement>> TraceAsync(PythonTarget target, params string[] options)
    {
        var result = await HostRun.RunAsync(["run", "settrace", "-p", target.Pid.ToString(), "--format", "json", "--duration", "1", .. options]);
        Assert.True(result.ExitCode == 0, result.ToString());
        var events = Events(result.Stdout);
        Assert.Equal("summary", events[^1].GetProperty("event").GetString());
        return events[..^1];
    }

    private static List<JsonElement> Events(string jsonLines) =>
        jsonLines.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => JsonDocument.Parse(line).RootElement.Clone()).ToList();

    private static bool Is(JsonElement e, string kind, string function, string thread) =>
        e.GetProperty("event").GetString() == kind && e.GetProperty("function").GetString() == function && e.GetProperty("thread").GetString() == thread;
}
