using System.Diagnostics;
using Host.Tests.Support;

namespace Host.Tests.Integration;

/// <summary>`dotnet pack` + `dotnet tool install` gives a working `host` command, plugins, recipes and agent included.</summary>
public sealed class PackagingTests
{
    [Fact]
    public async Task The_packed_tool_installs_lists_its_capabilities_and_works_on_a_real_process()
    {
        var work = Directory.CreateTempSubdirectory("host-test-pack-").FullName;
        try
        {
            await Run("dotnet", "pack", Path.Combine(RepoPaths.Root, "src", "Host", "Host.csproj"), "-c", "Release", "-o", Path.Combine(work, "feed"), "--nologo");
            // Only the local feed: a package of the same name elsewhere must never be picked.
            var config = Path.Combine(work, "nuget.config");
            await File.WriteAllTextAsync(config, $"""
                <?xml version="1.0" encoding="utf-8"?>
                <configuration>
                  <packageSources>
                    <clear />
                    <add key="local" value="{Path.Combine(work, "feed")}" />
                  </packageSources>
                </configuration>
                """);
            await Run("dotnet", "tool", "install", "--tool-path", Path.Combine(work, "tools"), "--configfile", config, "Host.Tool");
            await using var target = await PythonTarget.StartAsync(Interpreters.Default, "threads_target.py");

            var output = await Run(Path.Combine(work, "tools", "host"), "run", "stackdump", "--pid", target.Pid.ToString());

            Assert.Contains("in sleeping_worker", output);
            var capabilities = await Run(Path.Combine(work, "tools", "host"), "list");
            foreach (var name in new[] { "pdb", "settrace", "stackdump", "profile", "top", "exec", "threads", "memtop", "hot-lines" })
                Assert.Contains(name + " ", capabilities);
            // A recipe: the Lua engine's native library and the scripts folder ship with the tool.
            var threads = await Run(Path.Combine(work, "tools", "host"), "run", "threads", "--pid", target.Pid.ToString());
            Assert.Matches(@"sleeper\s+daemon\s+sleeping_worker", threads);
            var pdb = await Run(Path.Combine(work, "tools", "host"), "run", "pdb", "--pid", target.Pid.ToString(), "--thread", "sleeper", "--commands", "p marker");
            Assert.Contains("'sleeper-local-42'", pdb);
            await target.AssertUnharmedAsync();
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    private static async Task<string> Run(string program, params string[] arguments)
    {
        var info = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
            info.ArgumentList.Add(argument);
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"{program} {string.Join(' ', arguments)}: {await stdout} {await stderr}");
        return await stdout;
    }
}
