using System.Collections;
using System.Runtime.InteropServices;

namespace Host.Linux;

/// <summary>
/// Starts a program with posix_spawn: stdin from /dev/null, stdout and stderr on the given
/// descriptors, no blocked signals and default dispositions, and .NET's copy of the environment.
/// </summary>
internal static unsafe partial class PosixSpawn
{
    /// <summary>The child's pid; an IOException when it could not be started.</summary>
    public static int Start(string program, IReadOnlyList<string> arguments, int stdoutFd, int stderrFd)
    {
        // glibc's posix_spawn_file_actions_t is 80 bytes, posix_spawnattr_t 336, sigset_t 128:
        // generous buffers keep this independent of the exact sizes.
        var actions = stackalloc byte[512];
        var attributes = stackalloc byte[1024];
        var signals = stackalloc byte[256];
        var argv = ToCStrings([program, .. arguments]);
        var envp = ToCStrings(EnvironmentStrings());
        try
        {
            Check(FileActionsInit(actions), "posix_spawn_file_actions_init");
            Check(AddOpen(actions, 0, "/dev/null", Libc.O_RDONLY, 0), "posix_spawn_file_actions_addopen");
            Check(AddDup2(actions, stdoutFd, 1), "posix_spawn_file_actions_adddup2");
            Check(AddDup2(actions, stderrFd, 2), "posix_spawn_file_actions_adddup2");
            Check(AttrInit(attributes), "posix_spawnattr_init");
            // The child starts with no blocked signals and default dispositions, whatever the
            // runtime's threads have set; host-inject chooses which ones it ignores.
            SigEmptySet(signals);
            Check(AttrSetSigMask(attributes, signals), "posix_spawnattr_setsigmask");
            SigFillSet(signals);
            Check(AttrSetSigDefault(attributes, signals), "posix_spawnattr_setsigdefault");
            Check(AttrSetFlags(attributes, PosixSpawnSetSigDef | PosixSpawnSetSigMask), "posix_spawnattr_setflags");
            int pid;
            var error = Spawn(&pid, program, actions, attributes, argv, envp);
            if (error != 0)
                throw new IOException($"could not start {program}: {Marshal.GetPInvokeErrorMessage(error)}");
            return pid;
        }
        finally
        {
            FileActionsDestroy(actions);
            AttrDestroy(attributes);
            FreeCStrings(argv);
            FreeCStrings(envp);
        }
    }

    private static void Check(int error, string call)
    {
        if (error != 0)
            throw new IOException($"{call} failed: {Marshal.GetPInvokeErrorMessage(error)}");
    }

    // .NET keeps its own copy of the environment (Environment.SetEnvironmentVariable does not
    // change libc's), so the child gets that copy, as Process.Start would give it.
    private static List<string> EnvironmentStrings()
    {
        var variables = new List<string>();
        foreach (DictionaryEntry variable in Environment.GetEnvironmentVariables())
            variables.Add($"{variable.Key}={variable.Value}");
        return variables;
    }

    private static byte** ToCStrings(IReadOnlyList<string> strings)
    {
        var array = (byte**)NativeMemory.AllocZeroed((nuint)(strings.Count + 1), (nuint)sizeof(byte*));
        for (var i = 0; i < strings.Count; i++)
            array[i] = (byte*)Marshal.StringToCoTaskMemUTF8(strings[i]);
        return array;
    }

    private static void FreeCStrings(byte** array)
    {
        for (var entry = array; *entry != null; entry++)
            Marshal.FreeCoTaskMem((nint)(*entry));
        NativeMemory.Free(array);
    }

    private const short PosixSpawnSetSigDef = 0x04;
    private const short PosixSpawnSetSigMask = 0x08;

    [LibraryImport("libc", EntryPoint = "posix_spawn", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Spawn(int* pid, string path, byte* fileActions, byte* attributes, byte** argv, byte** envp);

    [LibraryImport("libc", EntryPoint = "posix_spawn_file_actions_init")]
    private static partial int FileActionsInit(byte* actions);

    [LibraryImport("libc", EntryPoint = "posix_spawn_file_actions_destroy")]
    private static partial int FileActionsDestroy(byte* actions);

    [LibraryImport("libc", EntryPoint = "posix_spawn_file_actions_addopen", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int AddOpen(byte* actions, int fd, string path, int flags, uint mode);

    [LibraryImport("libc", EntryPoint = "posix_spawn_file_actions_adddup2")]
    private static partial int AddDup2(byte* actions, int fd, int newFd);

    [LibraryImport("libc", EntryPoint = "posix_spawnattr_init")]
    private static partial int AttrInit(byte* attributes);

    [LibraryImport("libc", EntryPoint = "posix_spawnattr_destroy")]
    private static partial int AttrDestroy(byte* attributes);

    [LibraryImport("libc", EntryPoint = "posix_spawnattr_setflags")]
    private static partial int AttrSetFlags(byte* attributes, short flags);

    [LibraryImport("libc", EntryPoint = "posix_spawnattr_setsigmask")]
    private static partial int AttrSetSigMask(byte* attributes, byte* signals);

    [LibraryImport("libc", EntryPoint = "posix_spawnattr_setsigdefault")]
    private static partial int AttrSetSigDefault(byte* attributes, byte* signals);

    [LibraryImport("libc", EntryPoint = "sigemptyset")]
    private static partial int SigEmptySet(byte* signals);

    [LibraryImport("libc", EntryPoint = "sigfillset")]
    private static partial int SigFillSet(byte* signals);

}
