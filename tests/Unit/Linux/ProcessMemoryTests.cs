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
        using var third = new PinnedBytes([7, 8, 9, 10]);
        using var fourth = new PinnedBytes([11, 12, 13, 14]);
        using var memory = new ProcessMemory(Environment.ProcessId);
        var into = new byte[16];
        var whole = new bool[4];

        memory.ReadEach([first.Address, 0x10, third.Address, fourth.Address], 4, into, whole);

        Assert.Equal([true, false, true, true], whole);
        Assert.Equal(new byte[] { 1, 2, 3, 4, 0, 0, 0, 0, 7, 8, 9, 10, 11, 12, 13, 14 }, into);
    }

    [Fact]
    public void More_ranges_than_one_call_takes_are_all_read()
    {
        var source = new byte[3000];
        new Random(7).NextBytes(source);
        using var pinned = new PinnedBytes(source);
        using var memory = new ProcessMemory(Environment.ProcessId);
        var addresses = Enumerable.Range(0, 2999).Select(i => pinned.Address + (ulong)i).ToArray();
        var into = new byte[2 * addresses.Length];
        var whole = new bool[addresses.Length];

        memory.ReadEach(addresses, 2, into, whole);

        Assert.All(whole, Assert.True);
        for (var i = 0; i < addresses.Length; i++)
            Assert.Equal(source.AsSpan(i, 2).ToArray(), into.AsSpan(2 * i, 2).ToArray());
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
