using Host.Reading;
using Host.Reading.Layouts;

namespace Host.Tests.Unit.Reading;

public sealed class DebugOffsetsHeaderTests
{
    private static byte[] Header(string cookie, ulong version, ulong freeThreaded)
    {
        var bytes = new byte[DebugOffsetsHeader.Size];
        System.Text.Encoding.ASCII.GetBytes(cookie).CopyTo(bytes, 0);
        BitConverter.GetBytes(version).CopyTo(bytes, 8);
        BitConverter.GetBytes(freeThreaded).CopyTo(bytes, 16);
        return bytes;
    }

    [Fact]
    public void A_3_14_header_gives_its_version_and_build()
    {
        var header = DebugOffsetsHeader.Parse(Header("xdebugpy", 0x030E07F0, 1));

        Assert.Equal((3, 14, 7, true), (header!.Major, header.Minor, header.Micro, header.FreeThreaded));
    }

    [Theory]
    [InlineData("xdebugpx", 0x030E07F0UL, 0UL)]
    [InlineData("xdebugpy", 0x030C01F0UL, 0UL)]
    [InlineData("xdebugpy", 0x020E07F0UL, 0UL)]
    [InlineData("xdebugpy", 0x1030E07F0UL, 0UL)]
    [InlineData("xdebugpy", 0x030E07F0UL, 2UL)]
    public void A_wrong_cookie_an_older_version_or_garbage_is_no_header(string cookie, ulong version, ulong freeThreaded)
    {
        Assert.Null(DebugOffsetsHeader.Parse(Header(cookie, version, freeThreaded)));
    }
}
