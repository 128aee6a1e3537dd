using Host.Cli;

namespace Host.Tests.Unit.Cli;

public sealed class ArgumentPrescanTests
{
    [Fact]
    public void Plugin_folders_are_taken_in_both_spellings_and_in_order()
    {
        var scan = ArgumentPrescan.Of(["--plugin-dir", "/a", "run", "--plugin-dir=/b", "stackdump", "-p", "1"]);

        Assert.Equal(["/a", "/b"], scan.PluginDirectories);
        Assert.Equal("stackdump", scan.RunName);
    }

    [Fact]
    public void The_run_name_is_the_word_after_run_even_behind_global_options()
    {
        Assert.Equal("./my-recipe.lua", ArgumentPrescan.Of(["--verbose", "run", "./my-recipe.lua"]).RunName);
        Assert.Equal("stackdump", ArgumentPrescan.Of(["--plugin-dir", "/x", "run", "stackdump"]).RunName);
        Assert.Null(ArgumentPrescan.Of(["list"]).RunName);
        Assert.Null(ArgumentPrescan.Of(["run"]).RunName);
        Assert.Null(ArgumentPrescan.Of(["ps", "run"]).RunName);
    }

    [Theory]
    [InlineData(12, "run", "stackdump", "-p", "12")]
    [InlineData(12, "run", "stackdump", "--method", "read", "--pid=12")]
    [InlineData(12, "--verbose", "run", "stackdump", "--pid", "12")]
    [InlineData(null, "run", "stackdump", "-p", "twelve")]
    [InlineData(null, "run", "stackdump", "-p", "-12")]
    [InlineData(null, "run", "stackdump", "--name", "worker")]
    [InlineData(null, "run", "stackdump", "-p", "12", "--help")]
    [InlineData(null, "ps", "-p", "12")]
    public void The_pid_is_known_early_only_for_a_run_that_attaches_to_it(int? pid, params string[] args)
    {
        Assert.Equal(pid, ArgumentPrescan.Of(args).Pid);
    }

    [Fact]
    public void A_plugin_dir_option_without_a_value_is_left_to_the_parser()
    {
        var scan = ArgumentPrescan.Of(["run", "stackdump", "--plugin-dir"]);

        Assert.Empty(scan.PluginDirectories);
        Assert.Equal("stackdump", scan.RunName);
    }

    [Theory]
    [InlineData(true, "run", "stackdump", "-p", "12")]
    [InlineData(true, "run", "stackdump", "--pid=12")]
    [InlineData(true, "run", "settrace", "--name", "worker")]
    [InlineData(true, "run", "pdb", "--name=worker")]
    [InlineData(true, "--verbose", "run", "stackdump", "--demo")]
    [InlineData(false, "run", "stackdump", "-p", "12", "--help")]
    [InlineData(false, "run", "stackdump", "-h")]
    [InlineData(false, "run", "stackdump")]
    [InlineData(false, "ps")]
    [InlineData(false, "list", "-p", "12")]
    public void It_says_whether_the_command_will_attach(bool attaches, params string[] args)
    {
        Assert.Equal(attaches, ArgumentPrescan.Of(args).Attaches);
    }

    [Fact]
    public void Verbose_is_seen_anywhere_and_is_not_a_word()
    {
        var scan = ArgumentPrescan.Of(["run", "--verbose", "stackdump"]);

        Assert.True(scan.Verbose);
        Assert.Equal("stackdump", scan.RunName);
        Assert.False(ArgumentPrescan.Of(["run", "stackdump"]).Verbose);
    }
}
