using Host.Processes;

namespace Host.Tests.Unit.Processes;

public sealed class PythonDetectorTests
{
    [Fact]
    public void A_mapped_libpython_gives_the_version_and_the_library()
    {
        var found = PythonDetector.Detect("/root/.pyenv/versions/3.11.7/bin/python3.11",
            ["/usr/lib/x86_64-linux-gnu/libc.so.6", "/root/.pyenv/versions/3.11.7/lib/libpython3.11.so.1.0"]);

        Assert.Equal(("3.11.7", "/root/.pyenv/versions/3.11.7/lib/libpython3.11.so.1.0"), (found?.Version, found?.Libpython));
    }

    [Fact]
    public void Python_3_6_libpython_with_abi_flags_is_recognised()
    {
        var found = PythonDetector.Detect("/opt/py/bin/python3.6", ["/opt/py/lib/libpython3.6m.so.1.0"]);

        Assert.Equal("3.6", found?.Version);
    }

    [Fact]
    public void An_interpreter_linked_into_the_executable_is_recognised_by_its_name()
    {
        var found = PythonDetector.Detect("/usr/bin/python3.11", ["/usr/lib/x86_64-linux-gnu/libc.so.6"]);

        Assert.Equal(("3.11", (string?)null), (found?.Version, found?.Libpython));
    }

    [Theory]
    [InlineData("/usr/bin/python3.14t", new string[0], "3.14t", true, false)]
    [InlineData("/opt/py/bin/python3", new[] { "/opt/py/lib/libpython3.13td.so.1.0" }, "3.13t", true, true)]
    [InlineData("/usr/bin/python3.12d", new string[0], "3.12", false, true)]
    [InlineData("/usr/bin/python3.12", new[] { "/usr/lib/libpython3.12.so.1.0" }, "3.12", false, false)]
    public void The_abi_flags_say_free_threaded_and_debug_builds(string executable, string[] files, string version, bool freeThreaded, bool debug)
    {
        var found = PythonDetector.Detect(executable, files);

        Assert.Equal((version, freeThreaded, debug), (found?.Version, found?.FreeThreaded, found?.Debug));
    }

    [Theory]
    [InlineData("/usr/bin/sleep")]
    [InlineData("/usr/bin/pythonic-tool")]
    [InlineData("/usr/bin/perl")]
    public void Other_programs_are_not_python(string executable)
    {
        Assert.Null(PythonDetector.Detect(executable, ["/usr/lib/x86_64-linux-gnu/libc.so.6"]));
    }
}
