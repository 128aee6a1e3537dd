using Host.Abstractions;
using Host.Injection;
using Host.Tests.Support;

namespace Host.Tests.Integration;

/// <summary>The primitives a plugin gets, called directly against a real process.</summary>
public sealed class NativeCallTests
{
    [Theory]
    [MemberData(nameof(Interpreters.Labels), MemberType = typeof(Interpreters))]
    public async Task Calling_Py_GetVersion_returns_the_interpreters_version(string python)
    {
        await using var process = await PythonTarget.StartAsync(Interpreters.Get(python), "threads_target.py");
        var injector = new Injector(TimeSpan.FromSeconds(10), Path.Combine(RepoPaths.Root, "artifacts", "host", "libhostagent.so"));
        await using var target = await injector.AttachAsync(process.Pid, CancellationToken.None);

        var version = await target.CallFunctionAsync(new NativeCall("Py_GetVersion", NativeType.String), CancellationToken.None);
        var initialized = await target.CallFunctionAsync(new NativeCall("Py_IsInitialized", NativeType.Int), CancellationToken.None);

        Assert.StartsWith(process.Interpreter.Version.ToString(), version.Text);
        Assert.Equal(1, initialized.Number);
        process.AssertRunningFreely();
        await process.AssertUnharmedAsync();
    }
}
