using Host.Tests.Support;

namespace Host.Tests.Unit.Catalog;

/// <summary>The catalog as users see it through `host list`, with real plugin folders.</summary>
public sealed class CatalogTests
{
    [Fact]
    public async Task List_shows_the_built_in_stackdump_plugin_and_where_it_came_from()
    {
        var result = await HostRun.RunAsync("list");

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("stackdump", result.Stdout);
        Assert.Contains("built-in plugin: " + Path.Combine(RepoPaths.Root, "artifacts", "host", "plugins", "stackdump", "Host.Plugins.Stackdump.dll"), result.Stdout);
    }

    [Fact]
    public async Task A_broken_plugin_is_listed_with_its_reason_and_the_others_keep_working()
    {
        var folder = Directory.CreateTempSubdirectory("host-test-plugins-").FullName;
        try
        {
            Directory.CreateDirectory(Path.Combine(folder, "junk"));
            await File.WriteAllTextAsync(Path.Combine(folder, "junk", "junk.dll"), "this is not an assembly");
            var environment = new Dictionary<string, string?> { ["HOST_PLUGIN_PATH"] = folder };

            var list = await HostRun.RunAsync(["list"], environment: environment);
            var run = await HostRun.RunAsync(["run", "junk", "--pid", "1"], environment: environment);
            var help = await HostRun.RunAsync(["run", "stackdump", "--help"], environment: environment);

            Assert.Equal(0, list.ExitCode);
            Assert.Contains("broken: not a .NET assembly", list.Stdout);
            Assert.Contains("BROKEN, HOST_PLUGIN_PATH plugin: " + Path.Combine(folder, "junk", "junk.dll"), list.Stdout);
            Assert.Contains("stackdump", list.Stdout);
            Assert.Equal(2, run.ExitCode);
            Assert.Contains("could not be loaded", run.Stderr);
            Assert.Equal(0, help.ExitCode);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task Ps_lists_a_running_python_process_with_its_version()
    {
        await using var target = await PythonTarget.StartAsync(Interpreters.Default, "threads_target.py");

        var result = await HostRun.RunAsync("ps");

        Assert.Equal(0, result.ExitCode);
        var line = Assert.Single(result.Stdout.Split('\n'), l => l.TrimStart().StartsWith(target.Pid + " ", StringComparison.Ordinal));
        Assert.Contains(target.Interpreter.Version.ToString(2), line);
        Assert.Contains("threads_target.py", line);
        await target.AssertUnharmedAsync();
    }
}
