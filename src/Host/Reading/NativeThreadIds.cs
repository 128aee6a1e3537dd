using System.Buffers.Binary;
using Host.Linux;

namespace Host.Reading;

/// <summary>
/// The OS thread id of each thread, for versions whose thread state does not record it (before
/// 3.11). A thread's ident is its pthread_t, the address of the C library's own struct for the
/// thread, which keeps the thread id at an offset the library chose. That offset is found rather
/// than assumed: the one where every thread's struct holds a distinct id of this process's tasks.
/// </summary>
internal static class NativeThreadIds
{
    private const int Window = 1024;

    /// <summary>Each ident's thread id, in the same order; 0 where it is not known.</summary>
    /// <param name="tasks">The process's thread ids as it sees them (<see cref="TaskIds.Inner"/>).</param>
    /// <param name="pid">The process's id as it sees itself.</param>
    public static int[] Find(ProcessMemory memory, int pid, List<int> tasks, IReadOnlyList<ulong> idents)
    {
        var found = new int[idents.Count];
        var structs = new List<byte[]>();
        var readable = new List<int>();
        for (var i = 0; i < idents.Count; i++)
        {
            var bytes = new byte[Window];
            if (RemotePointer.Valid(idents[i]) is not null && memory.TryRead(idents[i], bytes))
            {
                structs.Add(bytes);
                readable.Add(i);
            }
        }
        if (structs.Count == 0)
            return found;
        for (var offset = 0; offset + 4 <= Window; offset += 4)
        {
            var values = new List<int>(structs.Count);
            var holdsProcessId = false;
            foreach (var bytes in structs)
            {
                var value = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(offset));
                if (!tasks.Contains(value) || values.Contains(value))
                    goto next;
                values.Add(value);
                holdsProcessId |= value == pid;
            }
            // One thread alone proves little: then it must be the main thread, whose id is the pid.
            if (structs.Count == 1 && !holdsProcessId)
                continue;
            for (var i = 0; i < readable.Count; i++)
                found[readable[i]] = values[i];
            return found;
        next:;
        }
        return found;
    }
}
