using System.Text.RegularExpressions;
using Host.Tests.Support;

namespace Host.Tests.Integration;

/// <summary>
/// Third-party plugins as their authors build them (outside the solution, against the packed
/// contract) and as users install them (a folder per plugin): discovery, isolation, versions,
/// and every way a plugin can be broken.
/// </summary>
public sealed class PluginTests(PluginBuilds builds) : IClassFixture<PluginBuilds>, IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("host-test-plugins-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Theory]
    [MemberData(nameof(Interpreters.Labels), MemberType = typeof(Interpreters))]
    public async Task The_sample_plugin_built_outside_the_solution_runs_against_a_real_process(string python)
    {
        var installed = PluginBuilds.Install(builds.Sample, _folder, "pyinfo");
        await using var target = await PythonTarget.StartAsync(Interpreters.Get(python), "threads_target.py");

        var text = await HostRun.RunAsync("run", "pyinfo", "-p", target.Pid.ToString(), "--plugin-dir", _folder);
        var json = await HostRun.RunAsync("run", "pyinfo", "-p", target.Pid.ToString(), "--plugin-dir", _folder, "--format", "json");

        Assert.False(File.Exists(Path.Combine(installed, "Host.Abstractions.dll")), "the contract must come from the host, not the plugin folder");
        Assert.True(text.ExitCode == 0, text.ToString());
        Assert.Contains(target.Interpreter.Version.ToString(), text.Stdout);
        Assert.Contains("threads_target.py", text.Stdout);
        Assert.True(json.ExitCode == 0, json.ToString());
        Assert.Contains(target.Interpreter.Version.ToString(), json.Stdout);
        using var document = System.Text.Json.JsonDocument.Parse(json.Stdout);
        text.AssertNoFilesLeft();
        await target.AssertUnharmedAsync();
    }

    [Theory]
    [MemberData(nameof(Interpreters.Labels), MemberType = typeof(Interpreters))]
    public async Task A_plugin_built_against_contract_1_1_loads_and_runs_in_this_host(string python)
    {
        Assert.True(PluginBuilds.HostContract > new Version(1, 1), "this test is about an older minor contract than the host's");
        PluginBuilds.Install(builds.SampleForContract11, _folder, "pyinfo");
        await using var target = await PythonTarget.StartAsync(Interpreters.Get(python), "threads_target.py");

        var list = await HostRun.RunAsync("list", "--plugin-dir", _folder);
        var text = await HostRun.RunAsync("run", "pyinfo", "-p", target.Pid.ToString(), "--plugin-dir", _folder);

        Assert.Contains("version 1.0.0", list.Stdout);
        Assert.DoesNotContain("broken", list.Stdout);
        Assert.True(text.ExitCode == 0, text.ToString());
        Assert.Contains(target.Interpreter.Version.ToString(), text.Stdout);
        Assert.Contains("threads_target.py", text.Stdout);
        text.AssertNoFilesLeft();
        await target.AssertUnharmedAsync();
    }

    [Theory]
    [MemberData(nameof(Interpreters.Labels), MemberType = typeof(Interpreters))]
    public async Task A_capability_that_does_not_inject_learns_the_full_version_and_never_starts_gdb_nor_attaches(string python)
    {
        PluginBuilds.Install(builds.Inspecting, _folder, "inspecting");
        await using var target = await PythonTarget.StartAsync(Interpreters.Get(python), "threads_target.py");
        // A gdb that only leaves a mark: host starts it early where it is the sole transport (HOST_INJECTOR=gdb).
        var marker = Path.Combine(_folder, "gdb-was-started");
        var fakeGdb = Path.Combine(_folder, "fake-gdb");
        await File.WriteAllTextAsync(fakeGdb, $"#!/bin/sh\ntouch '{marker}'\nexit 1\n");
        File.SetUnixFileMode(fakeGdb, (UnixFileMode)0b111_101_101);
        var gdbOnly = new Dictionary<string, string?> { ["HOST_INJECTOR"] = "gdb", ["HOST_GDB"] = fakeGdb };
        var pid = target.Pid.ToString();

        var inspect = await HostRun.RunAsync(["run", "inspect", "-p", pid, "--plugin-dir", _folder], environment: gdbOnly);
        var startedForInspect = File.Exists(marker);
        var attach = await HostRun.RunAsync(["run", "inspect", "-p", pid, "--attach", "--plugin-dir", _folder], environment: gdbOnly);
        var startedForAttach = File.Exists(marker);
        await HostRun.RunAsync(["run", "stackdump", "-p", pid, "--timeout", "5"], environment: gdbOnly);

        Assert.True(inspect.ExitCode == 0, inspect.ToString());
        var version = target.Interpreter.Version;
        Assert.Contains($"version={version} major={version.Major} minor={version.Minor} micro={version.Build} level=final", inspect.Stdout);
        Assert.Contains($"free_threaded={target.Interpreter.IsFreeThreaded} debug=False", inspect.Stdout);
        Assert.False(startedForInspect, "gdb was started for a capability that does not inject");
        Assert.Equal(1, attach.ExitCode);
        Assert.Contains("the capability 'inspect' declares that it does not inject (None), yet it tried to attach", attach.Stderr);
        Assert.False(startedForAttach, "gdb was started for a capability that does not inject");
        Assert.True(File.Exists(marker), "the control failed: gdb is started early for stackdump, which injects");
        inspect.AssertNoFilesLeft();
        attach.AssertNoFilesLeft();
        await target.AssertUnharmedAsync();
    }

    [Fact]
    public async Task Host_list_shows_a_dropped_in_plugin_with_its_version_and_folder_and_the_earlier_folder_wins_a_name()
    {
        var data = Directory.CreateDirectory(Path.Combine(_folder, "xdg"));
        var user = PluginBuilds.Install(builds.Sample, Path.Combine(data.FullName, "host", "plugins"), "pyinfo");
        var fromPath = PluginBuilds.Install(builds.Sample, Path.Combine(_folder, "path"), "pyinfo");
        var fromOption = PluginBuilds.Install(builds.Sample, Path.Combine(_folder, "option"), "pyinfo");
        var environment = new Dictionary<string, string?> { ["XDG_DATA_HOME"] = data.FullName, ["HOST_PLUGIN_PATH"] = Path.Combine(_folder, "path") };

        var list = await HostRun.RunAsync(["list", "--plugin-dir", Path.Combine(_folder, "option")], environment: environment);
        var withoutUser = await HostRun.RunAsync(["list", "--plugin-dir", Path.Combine(_folder, "option")], environment: new Dictionary<string, string?> { ["HOST_PLUGIN_PATH"] = Path.Combine(_folder, "path") });

        Assert.True(list.ExitCode == 0, list.ToString());
        Assert.Contains($"version 1.0.0, user plugin: {Path.Combine(user, "PyInfo.dll")}", list.Stdout);
        Assert.Contains($"warning: capability 'pyinfo' from {Path.Combine(fromPath, "PyInfo.dll")} is hidden by the one from {Path.Combine(user, "PyInfo.dll")}", list.Stderr);
        Assert.Contains($"warning: capability 'pyinfo' from {Path.Combine(fromOption, "PyInfo.dll")} is hidden by the one from {Path.Combine(user, "PyInfo.dll")}", list.Stderr);
        Assert.Single(Regex.Matches(list.Stdout, "(?m)^pyinfo "));
        Assert.Contains($"version 1.0.0, HOST_PLUGIN_PATH plugin: {Path.Combine(fromPath, "PyInfo.dll")}", withoutUser.Stdout);
        Assert.Contains("version 0.1.0, built-in plugin:", list.Stdout);
    }

    [Fact]
    public async Task A_plugin_may_use_other_versions_of_libraries_than_the_host()
    {
        PluginBuilds.Install(builds.Isolated, _folder, "isolated");
        await using var target = await PythonTarget.StartAsync(Interpreters.Default, "threads_target.py");

        var result = await HostRun.RunAsync("run", "library-versions", "-p", target.Pid.ToString(), "--plugin-dir", _folder);

        Assert.True(result.ExitCode == 0, result.ToString());
        var isolated = Path.Combine(_folder, "isolated");
        Assert.Contains($"plugin System.CommandLine 2.0.15 from {Path.Combine(isolated, "System.CommandLine.dll")}", result.Stdout);
        Assert.Contains($"plugin Newtonsoft.Json 12.0.3 from {Path.Combine(isolated, "Newtonsoft.Json.dll")}", result.Stdout);
        // The host's own System.CommandLine is loaded at the same time, in the host's context.
        Assert.Matches(@"other System\.CommandLine 2\.0\.0 from \S+/System\.CommandLine\.dll", result.Stdout);
        Assert.Contains("Py_IsInitialized=1", result.Stdout);
        await target.AssertUnharmedAsync();
    }

    [Fact]
    public async Task Each_broken_plugin_is_listed_with_its_path_and_reason_and_the_others_keep_working()
    {
        var junk = Directory.CreateDirectory(Path.Combine(_folder, "junk"));
        await File.WriteAllTextAsync(Path.Combine(junk.FullName, "junk.dll"), "this is not an assembly");
        var noType = Directory.CreateDirectory(Path.Combine(_folder, "no-type"));
        File.Copy(Path.Combine(builds.Misbehaving, "Newtonsoft.Json.dll"), Path.Combine(noType.FullName, "Newtonsoft.Json.dll"));
        var misbehaving = PluginBuilds.Install(builds.Misbehaving, _folder, "misbehaving");
        File.Delete(Path.Combine(misbehaving, "Newtonsoft.Json.dll"));
        PluginBuilds.Install(builds.Sample, _folder, "pyinfo");
        var corrupt = PluginBuilds.Install(builds.Sample, _folder, "corrupt");
        await File.WriteAllTextAsync(Path.Combine(corrupt, "PyInfo.deps.json"), "{ not json");
        await using var target = await PythonTarget.StartAsync(Interpreters.Default, "threads_target.py");

        var list = await HostRun.RunAsync("list", "--plugin-dir", _folder);
        var throwing = await HostRun.RunAsync("run", "throws-while-running", "-p", target.Pid.ToString(), "--plugin-dir", _folder);
        var broken = await HostRun.RunAsync("run", "throwing-constructor", "-p", target.Pid.ToString(), "--plugin-dir", _folder);
        var others = await HostRun.RunAsync("run", "pyinfo", "-p", target.Pid.ToString(), "--plugin-dir", _folder);
        var builtIn = await HostRun.RunAsync("run", "stackdump", "-p", target.Pid.ToString(), "--plugin-dir", _folder);

        Assert.True(list.ExitCode == 0, list.ToString());
        var dll = Path.Combine(misbehaving, "Misbehaving.dll");
        Assert.Contains($"BROKEN, --plugin-dir plugin: {Path.Combine(junk.FullName, "junk.dll")}", list.Stdout);
        Assert.Contains("broken: not a .NET assembly", list.Stdout);
        Assert.Contains($"broken: Newtonsoft.Json.dll has no public class implementing ICapability", list.Stdout);
        Assert.Contains("broken: constructor of Misbehaving.ThrowingConstructor failed: InvalidOperationException: the configuration file /etc/misbehaving.conf is missing", list.Stdout);
        Assert.Contains("broken: constructor of Misbehaving.NeedsDependency failed: a dependency is missing: Newtonsoft.Json, Version=13.0.0.0", list.Stdout);
        Assert.Contains($"BROKEN, version 0.9.0, --plugin-dir plugin: {dll}", list.Stdout);
        Assert.Matches(@"(?m)^throws-while-running\s+Attaches, calls Py_IsInitialized, then throws$", list.Stdout);
        Assert.Matches(@"(?m)^corrupt\s+broken: InvalidOperationException: Dependency resolution failed .*PyInfo\.deps\.json.*$", list.Stdout);

        Assert.Equal(1, throwing.ExitCode);
        Assert.StartsWith($"error: the plugin 'throws-while-running' ({dll}) failed: InvalidOperationException: the plugin broke after Py_IsInitialized returned 1", throwing.Stderr);
        Assert.DoesNotContain("   at ", throwing.Stderr);
        Assert.Equal(2, broken.ExitCode);
        Assert.Contains($"capability 'throwing-constructor' could not be loaded from {dll}", broken.Stderr);
        Assert.True(others.ExitCode == 0, others.ToString());
        Assert.True(builtIn.ExitCode == 0, builtIn.ToString());
        throwing.AssertNoFilesLeft();
        target.AssertRunningFreely();
        await target.AssertUnharmedAsync();
    }

    [Fact]
    public async Task A_plugin_deaf_to_ctrl_c_is_left_behind_after_a_grace_period()
    {
        PluginBuilds.Install(builds.Misbehaving, _folder, "misbehaving");
        await using var target = await PythonTarget.StartAsync(Interpreters.Default, "threads_target.py");
        await using var host = RunningHost.Start(["run", "ignores-interrupt", "-p", target.Pid.ToString(), "--timeout", "1", "--plugin-dir", _folder], readStdout: false);
        Assert.Equal("waiting", await host.ReadLineThenCloseStdoutAsync());

        host.Signal("INT");

        var result = await host.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(130, result.ExitCode);
        Assert.Contains("interrupted", result.Stderr);
        await target.AssertUnharmedAsync();
    }

    [Fact]
    public async Task A_plugin_built_against_an_incompatible_contract_is_refused_naming_both_versions()
    {
        PluginBuilds.Install(builds.SampleForContract2, Path.Combine(_folder, "major"), "pyinfo");
        PluginBuilds.Install(builds.SampleForNewerMinor, Path.Combine(_folder, "minor"), "pyinfo");

        var major = await HostRun.RunAsync("list", "--plugin-dir", Path.Combine(_folder, "major"));
        var minor = await HostRun.RunAsync("list", "--plugin-dir", Path.Combine(_folder, "minor"));
        var run = await HostRun.RunAsync("run", "pyinfo", "-p", "1", "--plugin-dir", Path.Combine(_folder, "major"));

        var hostContract = PluginBuilds.HostContract.ToString(3);
        Assert.Contains($"broken: built against plugin contract 2.0.0, but this host has contract {hostContract}: a different major version is incompatible", major.Stdout);
        Assert.Contains($"broken: built against plugin contract {PluginBuilds.NewerMinor}, newer than this host's contract {hostContract}; update host", minor.Stdout);
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("built against plugin contract 2.0.0", run.Stderr);
    }
}
