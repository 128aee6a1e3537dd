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

    public static Dictionary<ulong, int> Find(ProcessMemory memory, int pid, IReadOnlyList<ulong> idents)
    {
        var found = new Dictionary<ulong, int>();
        var tasks = ProcTasks.Ids(pid).ToHashSet();
        var structs = new List<(ulong Ident, byte[] Bytes)>();
        foreach (var ident in idents)
        {
            var bytes = new byte[Window];
            if (RemotePointer.Valid(ident) is not null && memory.TryRead(ident, bytes))
                structs.Add((ident, bytes));
        }
        if (structs.Count == 0)
            return found;
        for (var offset = 0; offset + 4 <= Window; offset += 4)
        {
            var values = new HashSet<int>();
            var holdsProcessId = false;
            foreach (var (_, bytes) in structs)
            {
                var value = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(offset));
                if (!tasks.Contains(value) || !values.Add(value))
                    goto next;
                holdsProcessId |= value == pid;
            }
            // One thread alone proves little: then it must be the main thread, whose id is the pid.
            if (structs.Count == 1 && !holdsProcessId)
                continue;
            foreach (var (ident, bytes) in structs)
                found[ident] = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(offset));
            return found;
        next:;
        }
        return found;
    }
}
