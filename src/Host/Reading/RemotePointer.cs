using System.Buffers.Binary;
using Host.Linux;

namespace Host.Reading;

/// <summary>
/// Pointers read from a running target, which may be torn or stale: only a non-null, aligned
/// user-space address (below 2^47 on x86_64) is one the reader follows.
/// </summary>
internal static class RemotePointer
{
    /// <summary>The pointer stored at <paramref name="address"/>, or null when it cannot be read or is not a plausible pointer.</summary>
    public static ulong? At(ProcessMemory memory, ulong address) => Word(memory, address) is { } value ? Valid(value) : null;

    /// <summary>The 8 bytes at <paramref name="address"/> as they are (a size, a tag, a tagged pointer), or null when they cannot be read.</summary>
    public static ulong? Word(ProcessMemory memory, ulong address)
    {
        Span<byte> bytes = stackalloc byte[8];
        return memory.TryRead(address, bytes) ? BinaryPrimitives.ReadUInt64LittleEndian(bytes) : null;
    }

    /// <summary>The addresses, each implausible one replaced by 0, which a batched read skips.</summary>
    public static ulong[] Plausible(ReadOnlySpan<ulong> addresses)
    {
        var plausible = new ulong[addresses.Length];
        for (var i = 0; i < addresses.Length; i++)
            plausible[i] = Valid(addresses[i]) ?? 0;
        return plausible;
    }

    public static ulong? Valid(ulong value) => value is 0 or >= 1UL << 47 || value % 8 != 0 ? null : value;
}
