using System.Runtime.InteropServices;
using Host.Linux;

namespace Host.Tests.Unit.Linux;

/// <summary>Reads of this test process's own memory, through the same system call as of a target's.</summary>
public sealed class ProcessMemoryTests
{
    [Fact]
    public void A_mapped_range_reads_whole_and_an_unmapped_one_reads_nothing()
    {
        var source = "the bytes a reader from outside sees"u8.ToArray();
        using var pinned = new PinnedBytes(source);
        using var memory = new ProcessMemory(Environment.ProcessId);
        var copy = new byte[source.Length];

        Assert.True(memory.TryRead(pinned.Address, copy));
        Assert.Equal(source, copy);
        Assert.Equal(0, memory.Read(0x10, new byte[8]));
        Assert.False(memory.TryRead(0x10, new byte[8]));
    }

    [Fact]
    public void Many_ranges_read_in_one_go_and_a_bad_one_in_the_middle_spoils_only_itself()
    {
        using var first = new PinnedBytes([1, 2, 3, 4]);
        using var third = new PinnedBytes([7, 8, 9]);
        using var memory = new ProcessMemory(Environment.ProcessId);
        var buffers = new Memory<byte>[] { new byte[4], new byte[16], new byte[3] };

        var whole = memory.ReadMany([first.Address, 0x10, third.Address], buffers);

        Assert.Equal([true, false, true], whole);
        Assert.Equal(new byte[] { 1, 2, 3, 4 }, buffers[0].ToArray());
        Assert.Equal(new byte[] { 7, 8, 9 }, buffers[2].ToArray());
    }

    [Fact]
    public void A_process_that_is_gone_is_said_to_be_gone()
    {
        using var child = System.Diagnostics.Process.Start("true")!;
        child.WaitForExit();
        using var memory = new ProcessMemory(child.Id);

        Assert.Throws<ProcessGoneException>(() => memory.Read(0x400000, new byte[8]));
    }

    private sealed class PinnedBytes(byte[] bytes) : IDisposable
    {
        private GCHandle _handle = GCHandle.Alloc(bytes, GCHandleType.Pinned);

        public ulong Address => (ulong)_handle.AddrOfPinnedObject();

        public void Dispose() => _handle.Free();
    }
}
