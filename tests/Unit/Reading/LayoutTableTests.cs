using System.Buffers.Binary;
using Host.Reading;
using Host.Reading.Layouts;
using Host.Tests.Support;

namespace Host.Tests.Unit.Reading;

/// <summary>The layouts the reader uses are those tools/layouts derived from each version's headers, and no others.</summary>
public sealed class LayoutTableTests
{
    [Fact]
    public void The_compiled_layouts_are_what_the_generator_makes_of_layouts_json()
    {
        var output = Path.Combine(Path.GetTempPath(), $"KnownLayouts-{Guid.NewGuid():N}.g.cs");
        try
        {
            ShortProgram.Output("python3", [Path.Combine(RepoPaths.Root, "tools", "layouts", "to-csharp")], environment: new Dictionary<string, string> { ["LAYOUTS_CSHARP_OUT"] = output });
            var committed = File.ReadAllText(Path.Combine(RepoPaths.Root, "src", "Host", "Reading", "Layouts", "KnownLayouts.g.cs"));
            Assert.True(committed == File.ReadAllText(output), "KnownLayouts.g.cs is stale: run tools/layouts/to-csharp");
        }
        finally
        {
            File.Delete(output);
        }
    }

    [Theory]
    [InlineData(2, 7, "FrameObjects", "LnotabUnsigned")]
    [InlineData(3, 6, "FrameObjects", "Lnotab")]
    [InlineData(3, 9, "FrameObjects", "Lnotab")]
    [InlineData(3, 10, "FrameObjects", "Python310")]
    [InlineData(3, 11, "ThroughCFrame", "Locations")]
    [InlineData(3, 12, "ThroughCFrame", "Locations")]
    public void Each_older_version_has_its_own_frame_chain_and_line_table(int major, int minor, string chain, string format)
    {
        var layout = KnownLayouts.For(major, minor);

        Assert.NotNull(layout);
        Assert.Equal((major, minor, chain, format), (layout.Major, layout.Minor, layout.Chain.ToString(), layout.LineTable.ToString()));
    }

    [Theory]
    [InlineData(3, 5)]
    [InlineData(3, 13)]
    [InlineData(2, 6)]
    public void A_version_outside_the_table_has_no_layout(int major, int minor) => Assert.Null(KnownLayouts.For(major, minor));

    [Theory]
    [InlineData(16)]
    [InlineData(20)]
    public void A_debug_offsets_table_of_a_version_host_does_not_know_is_refused(int minor)
    {
        var table = new byte[1024];
        "xdebugpy"u8.CopyTo(table);
        BinaryPrimitives.WriteUInt64LittleEndian(table.AsSpan(8), 0x03000000UL | ((ulong)minor << 16));
        // Whatever DebugOffsetsHeader accepts, the sections of an unknown minor are not guessed.
        var header = DebugOffsetsHeader.Parse(table);

        Assert.True(header is null || DebugOffsets.FromTable(header, table) is null);
        Assert.DoesNotContain("3." + minor, InterpreterFinder.KnownVersions);
    }

    [Fact]
    public void The_address_set_and_map_keep_every_address_through_growth()
    {
        var set = new AddressSet();
        var map = new AddressMap<string>();
        for (ulong address = 8; address < 8 * 5000; address += 8)
        {
            Assert.True(set.Add(address));
            map.Set(address, address.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
        for (ulong address = 8; address < 8 * 5000; address += 8)
        {
            Assert.False(set.Add(address));
            Assert.True(map.TryGet(address, out var value));
            Assert.Equal(address.ToString(System.Globalization.CultureInfo.InvariantCulture), value);
        }
        Assert.False(map.TryGet(8 * 5000, out _));
    }
}
