using System.Text.Json;
using Host.Tests.Support;

namespace Host.Tests.Integration;

/// <summary>Ways to name the target besides --pid, and the bundled demo.</summary>
public sealed class SelectionTests
{
    [Fact]
    public async Task Name_picks_the_one_python_process_whose_command_line_contains_it()
    {
        var tag = $"tag-{Guid.NewGuid():N}";
        await using var target = await PythonTarget.StartAsync(Interpreters.Default, "threads_target.py", [tag]);

        var result = await HostRun.RunAsync("run", "stackdump", "--name", tag);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains($"Process {target.Pid}:", result.Stdout);
        await target.AssertUnharmedAsync();
    }

    [Fact]
    public async Task Name_matching_no_process_is_not_found()
    {
        var result = await HostRun.RunAsync("run", "stackdump", "--name", $"no-such-{Guid.NewGuid():N}");

        Assert.Equal(3, result.ExitCode);
        Assert.Contains("no Python process has", result.Stderr);
    }

    [Fact]
    public async Task Demo_starts_the_bundled_program_dumps_it_and_stops_it()
    {
        var result = await HostRun.RunAsync(["run", "stackdump", "--demo"], environment: new Dictionary<string, string?> { ["HOST_DEMO_PYTHON"] = Interpreters.Default.Path });

        Assert.True(result.ExitCode == 0, result.ToString());
        foreach (var name in new[] { "MainThread", "job-consumer", "calculator", "poller" })
            Assert.Contains($"\"{name}\"", result.Stdout);
        Assert.Contains("demo_target.py", result.Stdout);
        var pid = int.Parse(result.Stdout.Split(':')[0].Split(' ')[1]);
        Assert.False(Directory.Exists($"/proc/{pid}") && File.ReadAllText($"/proc/{pid}/stat").Contains("demo"), "the demo program must be stopped");
    }

    [Fact]
    public async Task Ps_json_describes_a_running_python_process()
    {
        await using var target = await PythonTarget.StartAsync(Interpreters.Default, "threads_target.py");

        var result = await HostRun.RunAsync("ps", "--format", "json");

        Assert.Equal(0, result.ExitCode);
        using var json = JsonDocument.Parse(result.Stdout);
        var row = Assert.Single(json.RootElement.EnumerateArray(), r => r.GetProperty("pid").GetInt32() == target.Pid);
        Assert.Equal("root", row.GetProperty("user").GetString());
        Assert.StartsWith(target.Interpreter.Version.ToString(2), row.GetProperty("python").GetString());
        Assert.Contains("libpython", row.GetProperty("libpython").GetString());
        await target.AssertUnharmedAsync();
    }
}
