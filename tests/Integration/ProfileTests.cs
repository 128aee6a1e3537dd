using System.Globalization;
using System.Text.Json;
using Host.Abstractions;
using Host.Tests.Support;

namespace Host.Tests.Integration;

/// <summary>
/// `host run profile` on real targets: stacks sampled from outside at a steady rate, the busy
/// thread's functions counted in about the shares the target's own clock gives, idle threads left
/// out unless asked for, and the target left running as it was.
/// </summary>
public sealed class ProfileTests
{
    [Theory]
    [MemberData(nameof(Interpreters.Labels), MemberType = typeof(Interpreters))]
    public async Task The_busy_threads_functions_are_sampled_in_their_shares_and_the_idle_thread_is_left_out(string python)
    {
        await using var target = await PythonTarget.StartAsync(Interpreters.Get(python), "cpu_split.py");
        var before = Shares(await target.AskAsync("shares"));

        // 3 s at 1 kHz: about 3,000 samples of the worker, so a share is known to within a point (one standard deviation).
        var result = await HostRun.RunAsync("run", "profile", "-p", Pid(target), "--duration", "3", "--rate", "1000", "--format", "json");
        var after = Shares(await target.AskAsync("shares"));

        Assert.True(result.ExitCode == 0, result.ToString());
        using var json = JsonDocument.Parse(result.Stdout);
        var root = json.RootElement;
        var samples = root.GetProperty("samples").GetInt64();
        // A loaded machine may fall behind, never this far.
        Assert.True(samples >= 1500, result.ToString());
        Assert.True(root.GetProperty("idle_left_out").GetInt64() >= samples, "the idle thread and the main thread (reading stdin) are left out: " + result.Stdout);
        var stacks = Stacks(root);
        Assert.DoesNotContain(stacks, s => s.Functions.Contains("idle"));
        Assert.All(stacks, s => Assert.Contains("work", s.Functions));
        // Each function's share of the worker's samples, against the share of time the worker itself measured in it.
        var spent = after.Zip(before, (a, b) => a - b).ToArray();
        var names = new[] { "share_a", "share_b", "share_c" };
        var counted = names.Select(n => stacks.Where(s => s.Functions.Contains(n)).Sum(s => s.Count)).ToArray();
        for (var i = 0; i < 3; i++)
        {
            var sampled = 100.0 * counted[i] / counted.Sum();
            var measured = 100.0 * spent[i] / spent.Sum();
            Assert.True(Math.Abs(sampled - measured) <= 3, $"{names[i]}: {sampled:0.0}% of the samples, {measured:0.0}% of the time\n{result.Stdout}");
        }
        Assert.Contains("profile: ", result.Stderr);
        Assert.DoesNotContain("   at ", result.Stderr);
        target.AssertRunningFreely();
        await target.AssertUnharmedAsync();
    }

    [Theory]
    [MemberData(nameof(Interpreters.Labels), MemberType = typeof(Interpreters))]
    public async Task With_idle_the_sleeping_thread_is_counted_and_collapsed_output_has_one_line_per_stack(string python)
    {
        await using var target = await PythonTarget.StartAsync(Interpreters.Get(python), "cpu_split.py");

        var result = await HostRun.RunAsync("run", "profile", "-p", Pid(target), "--duration", "1", "--idle", "--format", "collapsed");

        Assert.True(result.ExitCode == 0, result.ToString());
        var lines = result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.NotEmpty(lines);
        foreach (var line in lines)
            Assert.Matches(@"^[^;]+( \(.+:(\d+|\?)\))?(;[^;]+)* \d+$", line);
        Assert.Contains(lines, l => l.Contains("idle (", StringComparison.Ordinal) && l.Contains("cpu_split.py", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("share_c (", StringComparison.Ordinal));
        target.AssertRunningFreely();
        await target.AssertUnharmedAsync();
    }

    [Fact]
    public async Task Ctrl_c_ends_the_sampling_and_the_profile_is_written()
    {
        await using var target = await PythonTarget.StartAsync(Interpreters.Default, "cpu_split.py");
        await using var host = RunningHost.Start(["run", "profile", "-p", Pid(target)]);
        await host.WaitForStderrAsync("profile: sampling process");
        await Task.Delay(TimeSpan.FromSeconds(1));

        host.Signal("INT");
        var result = await host.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("share_c (", result.Stdout);
        Assert.Matches(@"profile: \d+ samples in", result.Stderr);
        target.AssertRunningFreely();
        await target.AssertUnharmedAsync();
    }

    [Fact]
    public async Task A_target_that_exits_mid_profile_gets_what_was_collected_written_and_said()
    {
        await using var target = await PythonTarget.StartAsync(Interpreters.Default, "exits_soon.py", ["2"], answersCommands: false);

        var result = await HostRun.RunAsync("run", "profile", "-p", Pid(target), "--duration", "30", "--idle", "--format", "json");

        Assert.True(result.ExitCode == 0, result.ToString());
        using var json = JsonDocument.Parse(result.Stdout);
        Assert.Contains("exited", json.RootElement.GetProperty("ended_early").GetString());
        Assert.True(json.RootElement.GetProperty("samples").GetInt64() > 0, result.Stdout);
        Assert.Contains("ended early", result.Stderr);
        Assert.Equal(3, await target.WaitForExitAsync());
    }

    [Theory]
    [InlineData("--rate", "0")]
    [InlineData("--rate", "-5")]
    [InlineData("--rate", "1000000")]
    [InlineData("--duration", "0")]
    [InlineData("--duration", "soon")]
    public async Task A_bad_rate_or_duration_is_a_usage_error_in_one_line(string option, string value)
    {
        await using var target = await PythonTarget.StartAsync(Interpreters.Default, "cpu_split.py");

        var result = await HostRun.RunAsync("run", "profile", "-p", Pid(target), option, value);

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Matches($"^error: {option} must be", result.Stderr);
        Assert.DoesNotContain("   at ", result.Stderr);
        await target.AssertUnharmedAsync();
    }

    private static string Pid(PythonTarget target) => target.Pid.ToString(CultureInfo.InvariantCulture);

    private static double[] Shares(string answer) => answer.Split(' ').Skip(1).Select(s => double.Parse(s, CultureInfo.InvariantCulture)).ToArray();

    private sealed record Stack(HashSet<string> Functions, long Count);

    private static List<Stack> Stacks(JsonElement root) =>
        root.GetProperty("stacks").EnumerateArray()
            .Select(s => new Stack(s.GetProperty("frames").EnumerateArray().Select(f => f.GetProperty("function").GetString()!).ToHashSet(), s.GetProperty("count").GetInt64()))
            .ToList();
}
