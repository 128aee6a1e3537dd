using Host.Linux;

namespace Host.Tests.Unit.Linux;

public sealed class ProcMapsTests
{
    [Fact]
    public void A_file_mapping_gives_its_range_offset_and_path()
    {
        var entry = ProcMaps.Parse("7f2c1a200000-7f2c1a228000 r--p 00001000 08:01 1835033                    /usr/lib/x86_64-linux-gnu/libc.so.6");

        Assert.Equal(new MapsEntry(0x7f2c1a200000, 0x7f2c1a228000, 0x1000, "/usr/lib/x86_64-linux-gnu/libc.so.6"), entry);
    }

    [Theory]
    [InlineData("55d0c2a4f000-55d0c2a70000 rw-p 00000000 00:00 0                          [heap]", "[heap]")]
    [InlineData("7ffd5b1e6000-7ffd5b1e8000 r-xp 00000000 00:00 0                          [vdso]", "[vdso]")]
    [InlineData("7f2c1a000000-7f2c1a021000 rw-p 00000000 00:00 0 ", null)]
    [InlineData("7f2c1a000000-7f2c1a021000 rw-p 00000000 00:00 0", null)]
    [InlineData("7f2c19e00000-7f2c19e01000 r--p 00000000 fd:00 42  /tmp/my lib (deleted)", "/tmp/my lib (deleted)")]
    public void Anonymous_special_and_deleted_mappings_keep_what_the_kernel_wrote(string line, string? path)
    {
        Assert.Equal(path, ProcMaps.Parse(line)?.Path);
    }

    [Theory]
    [InlineData("")]
    [InlineData("not a maps line at all")]
    [InlineData("zzzz-7f2c1a021000 rw-p 00000000 00:00 0")]
    public void Other_lines_are_not_entries(string line)
    {
        Assert.Null(ProcMaps.Parse(line));
    }

    [Fact]
    public void This_process_maps_its_runtime_and_finds_where_its_first_page_is()
    {
        var files = ProcFs.MappedFiles(Environment.ProcessId, out var denied);

        Assert.False(denied);
        var runtime = Assert.Single(files!.Where(f => f.EndsWith("/libcoreclr.so", StringComparison.Ordinal)).Distinct());
        var range = ProcFs.MappingOf(Environment.ProcessId, runtime);
        Assert.NotNull(range);
        Assert.True(range.Value.End > range.Value.Start);
    }

    [Fact]
    public void The_quick_lookup_of_a_files_first_mapping_agrees_with_parsing_every_line()
    {
        var files = ProcMaps.Read(Environment.ProcessId).Where(e => e.Offset == 0 && e.Path is ['/', ..]).Select(e => e.Path!).Distinct().ToList();
        Assert.NotEmpty(files);
        foreach (var file in files)
            Assert.Equal(ProcMaps.Read(Environment.ProcessId).First(e => e.Offset == 0 && e.Path == file), ProcMaps.FirstMappingOf(Environment.ProcessId, file));
        Assert.Null(ProcMaps.FirstMappingOf(Environment.ProcessId, "/no/such/file.so"));
    }
}
