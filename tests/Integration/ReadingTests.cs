using Host.Linux;
using Host.Processes;
using Host.Reading;
using Host.Tests.Support;

namespace Host.Tests.Integration;

/// <summary>
/// The first steps of reading a target from outside, on every interpreter: finding _PyRuntime,
/// and on 3.13+ the header of the _Py_DebugOffsets table it starts with. Nothing is run in the target.
/// </summary>
public sealed class ReadingTests
{
    [Theory]
    [MemberData(nameof(Interpreters.Labels), MemberType = typeof(Interpreters))]
    public async Task The_runtime_is_found_from_outside_and_on_3_13_and_later_says_its_version(string python)
    {
        await using var target = await PythonTarget.StartAsync(Interpreters.Get(python), "threads_target.py");
        var process = TargetInspector.Inspect(target.Pid);
        var version = target.Interpreter.Version;

        var runtime = RuntimeLocator.Find(process);

        if (version < new Version(3, 7))
        {
            // 2.7 and 3.6 have no _PyRuntime: their interpreters hang off a static variable.
            Assert.Null(runtime);
        }
        else
        {
            Assert.NotNull(runtime);
            using var memory = new ProcessMemory(target.Pid);
            var header = DebugOffsetsHeader.Read(memory, runtime.Value);
            if (version < new Version(3, 13))
            {
                Assert.Null(header);
            }
            else
            {
                Assert.NotNull(header);
                Assert.Equal((version.Major, version.Minor, version.Build), (header.Major, header.Minor, header.Micro));
                Assert.Equal(target.Interpreter.IsFreeThreaded, header.FreeThreaded);
            }
        }
        target.AssertRunningFreely();
        await target.AssertUnharmedAsync();
    }
}
