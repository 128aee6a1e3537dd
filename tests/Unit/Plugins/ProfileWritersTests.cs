using Host.Plugins.Profile;

namespace Host.Tests.Unit.Plugins;

/// <summary>Which format a profile run writes: --format's, else the one -o's file name ends with.</summary>
public sealed class ProfileWritersTests
{
    [Theory]
    [InlineData("out.speedscope.json", "speedscope")]
    [InlineData("OUT.SPEEDSCOPE", "speedscope")]
    [InlineData("out.json", "json")]
    [InlineData("out.pb.gz", "pprof")]
    [InlineData("cpu.pprof", "pprof")]
    [InlineData("out.txt", "text")]
    [InlineData("/dev/null", "text")]
    [InlineData("profile.out", "text")]
    public void The_format_is_chosen_by_the_longest_ending_of_the_output_file_name(string path, string format)
    {
        Assert.Equal(format, ProfileWriters.Choose(null, path).Name);
        Assert.Equal("collapsed", ProfileWriters.Choose("collapsed", path).Name);
    }
}
