using Host.Cli;

namespace Host.Tests.Unit.Cli;

public sealed class EarlyArgumentsTests
{
    [Theory]
    [InlineData("run stackdump -p 42", 42)]
    [InlineData("run stackdump --pid 42 --locals", 42)]
    [InlineData("run stackdump --locals --pid=42", 42)]
    [InlineData("--verbose run settrace -p 7", 7)]
    public void The_target_pid_is_known_before_parsing(string line, int pid)
    {
        Assert.Equal(pid, EarlyArguments.Of(line.Split(' ')).Pid);
    }

    [Theory]
    [InlineData("run stackdump")]
    [InlineData("run stackdump -p")]
    [InlineData("run stackdump -p 0")]
    [InlineData("run stackdump -p -5")]
    [InlineData("run stackdump -p abc")]
    [InlineData("run stackdump -p 42 --help")]
    [InlineData("run stackdump -h -p 42")]
    [InlineData("list -p 42")]
    [InlineData("ps")]
    public void No_pid_is_taken_where_the_command_may_not_attach_to_it(string line)
    {
        Assert.Null(EarlyArguments.Of(line.Split(' ')).Pid);
    }
}
