using Host.Tests.Support;
using Xunit.Abstractions;

namespace Host.Tests.Integration;

/// <summary>The suite runs on every interpreter it promises, or says which one it could not find.</summary>
public sealed class InterpreterTests(ITestOutputHelper output)
{
    [Fact]
    public void Every_interpreter_the_suite_runs_on_is_there()
    {
        foreach (var interpreter in Interpreters.All)
            output.WriteLine($"{interpreter.Label}: {interpreter.Path}{(interpreter.Root == "/" ? "" : $" under {interpreter.Root} ({interpreter.Confinement})")}");
        Assert.True(Interpreters.Missing.Count == 0, "missing interpreters:\n" + string.Join("\n", Interpreters.Missing));
    }
}
