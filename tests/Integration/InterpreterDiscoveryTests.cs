using Host.Abstractions;
using Host.Linux;
using Host.Processes;
using Host.Tests.Support;

namespace Host.Tests.Integration;

/// <summary>Where reading from outside finds the interpreter: the .PyRuntime section, the symbol tables, and a file with neither.</summary>
public sealed class InterpreterDiscoveryTests
{
    [Theory]
    [MemberData(nameof(Interpreters.DebugOffsetsLabels), MemberType = typeof(Interpreters))]
    public async Task The_PyRuntime_section_is_where_the_PyRuntime_symbol_says(string python)
    {
        await using var target = await PythonTarget.StartAsync(Interpreters.Get(python), "threads_target.py");
        var process = TargetInspector.Inspect(target.Pid);
        var file = process.Libpython ?? process.Executable;

        var found = MappedSymbols.Addresses(target.Pid, file, [".PyRuntime", "_PyRuntime"]);

        Assert.True(found.TryGet(".PyRuntime", out var section), $"{file} has no .PyRuntime section");
        Assert.Equal(found.Find("_PyRuntime"), section);
        await target.AssertUnharmedAsync();
    }

    /// <summary>
    /// Debian's python3 (the interpreter linked into the executable) with its section headers
    /// removed, as sstrip leaves a file: it runs as before, but has no symbol table to read.
    /// </summary>
    [Fact]
    public async Task A_build_without_section_headers_is_refused_in_one_line_and_left_running()
    {
        var system = Interpreters.System;
        Assert.True(system is not null, "Debian's /usr/bin/python3 is not on this machine: " + string.Join("; ", Interpreters.Missing));
        var real = Path.GetFullPath(system.Path);
        while (new FileInfo(real).LinkTarget is { } link)
            real = Path.GetFullPath(link, Path.GetDirectoryName(real)!);
        var folder = Directory.CreateTempSubdirectory("sstripped-python-").FullName;
        try
        {
            await RefusedAsync(system, real, folder);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static async Task RefusedAsync(Interpreter system, string real, string folder)
    {
        // prefix/bin/python3.X beside prefix/lib: the interpreter finds its standard library as from /usr.
        Directory.CreateDirectory(Path.Combine(folder, "bin"));
        File.CreateSymbolicLink(Path.Combine(folder, "lib"), "/usr/lib");
        var copy = Path.Combine(folder, "bin", Path.GetFileName(real));
        var bytes = File.ReadAllBytes(real);
        bytes.AsSpan(40, 8).Clear(); // e_shoff
        bytes.AsSpan(60, 4).Clear(); // e_shnum, e_shstrndx
        File.WriteAllBytes(copy, bytes);
        File.SetUnixFileMode(copy, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        await using var target = await PythonTarget.StartAsync(system with { Label = "sstripped", Path = copy }, "threads_target.py");

        var dump = await HostRun.RunAsync("run", "stackdump", "-p", target.Pid.ToString(System.Globalization.CultureInfo.InvariantCulture), "--method", "read");

        Assert.True(dump.ExitCode == ExitCodes.Unsupported, dump.ToString());
        var lines = dump.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith($"error: {copy} has no symbol table host can read", lines[0]);
        Assert.All(lines.Skip(1), line => Assert.StartsWith("hint: ", line));
        Assert.Equal("", dump.Stdout);
        target.AssertRunningFreely();
        await target.AssertUnharmedAsync();
    }
}
