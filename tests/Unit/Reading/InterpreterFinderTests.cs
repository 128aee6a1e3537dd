using Host.Abstractions;
using Host.Linux;
using Host.Reading.Layouts;

namespace Host.Tests.Unit.Reading;

/// <summary>What reading from outside refuses, and how it says so (the processes are this test process, which is not CPython).</summary>
public sealed class InterpreterFinderTests
{
    private static TargetProcess Claimed(string file, int major, int minor, bool debug = false) =>
        new(Environment.ProcessId, 0, "root", $"{major}.{minor}", file, null, "test")
        {
            Version = new InterpreterVersion(major, minor, 0),
            IsDebugBuild = debug,
        };

    [Fact]
    public void A_file_with_no_interpreter_symbols_is_refused_with_the_reason()
    {
        using var memory = new ProcessMemory(Environment.ProcessId);
        // libc is mapped into this process and has symbol tables, but no PyCode_Type.
        var libc = ProcMaps.Read(Environment.ProcessId).First(e => e.Path?.Contains("/libc.so", StringComparison.Ordinal) == true).Path!;

        var error = Assert.Throws<UnreadableException>(() => InterpreterFinder.Find(Claimed(libc, 3, 11), memory));

        Assert.Contains("no symbol table host can read (no PyCode_Type)", error.Message);
        Assert.Contains("--method inject", error.Hint);
    }

    [Fact]
    public void A_version_with_no_layout_names_the_versions_host_knows()
    {
        using var memory = new ProcessMemory(Environment.ProcessId);

        var error = Assert.Throws<UnreadableException>(() => InterpreterFinder.Find(Claimed("/bin/sh", 3, 5), memory));

        Assert.Equal("host has no layout for Python 3.5", error.Message);
        Assert.Equal("the versions host can read: 2.7, 3.6, 3.7, 3.8, 3.9, 3.10, 3.11, 3.12, 3.13, 3.14, 3.15", error.Hint);
    }

    [Fact]
    public void A_debug_build_before_3_13_is_refused_because_its_objects_are_laid_out_differently()
    {
        using var memory = new ProcessMemory(Environment.ProcessId);

        var error = Assert.Throws<UnreadableException>(() => InterpreterFinder.Find(Claimed("/bin/sh", 3, 11, debug: true), memory));

        Assert.Contains("debug build of Python 3.11", error.Message);
    }
}
