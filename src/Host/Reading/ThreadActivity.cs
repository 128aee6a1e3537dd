using Host.Abstractions;
using Host.Linux;

namespace Host.Reading;

/// <summary>
/// What each OS thread of the target is doing, from /proc, read before the threads are stopped
/// (stopped, every thread looks the same): running, stopped, or asleep in a system call, and for
/// futex waits the word waited on, which tells a wait for the GIL from any other wait.
/// </summary>
internal sealed class ThreadActivity
{
    private const long FutexCall = 202; // x86_64
    private readonly Dictionary<int, (char? State, (long Number, ulong Argument)? Call)> _threads = [];

    public static ThreadActivity Observe(int pid)
    {
        var activity = new ThreadActivity();
        foreach (var tid in ProcTasks.Ids(pid))
        {
            var state = ProcTasks.State(pid, tid);
            activity._threads[tid] = (state, state is 'S' or 'D' ? ProcTasks.BlockedCall(pid, tid) : null);
        }
        return activity;
    }

    /// <summary>One of <see cref="ThreadStates"/>, or null for a thread /proc did not show.</summary>
    public string? StateOf(int tid, GilView gil)
    {
        if (!_threads.TryGetValue(tid, out var thread))
            return null;
        return thread.State switch
        {
            'R' => ThreadStates.Running,
            'T' or 't' => ThreadStates.Stopped,
            'S' or 'D' when thread.Call is { Number: FutexCall } call && gil.Contains(call.Argument) => ThreadStates.WaitingForGil,
            'S' or 'D' => ThreadStates.Idle,
            _ => null,
        };
    }
}
