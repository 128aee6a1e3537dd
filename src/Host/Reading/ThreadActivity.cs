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
    private readonly List<Observed> _threads = [];

    private ThreadActivity(TaskIds tasks, int innerPid) => (Tasks, InnerPid) = (tasks, innerPid);

    private sealed record Observed(int Tid, char? State, long Call, ulong Argument);

    /// <summary>The threads /proc listed, by host's ids and by the process's own (they differ in a PID namespace of its own).</summary>
    public TaskIds Tasks { get; }

    /// <summary>The process's id as it sees itself: its main thread's id in its thread states.</summary>
    public int InnerPid { get; }

    public static ThreadActivity Observe(int pid)
    {
        var tasks = ProcTasks.Ids(pid, out var innerPid);
        var activity = new ThreadActivity(tasks, innerPid);
        for (var i = 0; i < tasks.Host.Count; i++)
        {
            var tid = tasks.Host[i];
            var state = ProcTasks.State(pid, tid);
            var call = state is 'S' or 'D' ? ProcTasks.BlockedCall(pid, tid) : null;
            activity._threads.Add(new Observed(tasks.Inner[i], state, call?.Number ?? -1, call?.FirstArgument ?? 0));
        }
        return activity;
    }

    /// <summary>One of <see cref="ThreadStates"/>, or null for a thread /proc did not show.</summary>
    /// <param name="tid">The thread's id as the process sees it.</param>
    public string? StateOf(int tid, GilView gil)
    {
        var thread = _threads.Find(t => t.Tid == tid);
        return thread is null ? null : Classify(thread.State, thread.Call, thread.Argument, gil);
    }

    /// <summary>What /proc's state letter and blocked call (-1: none known) say a thread is doing.</summary>
    public static string? Classify(char? state, long call, ulong argument, GilView gil) => state switch
    {
        'R' => ThreadStates.Running,
        'T' or 't' => ThreadStates.Stopped,
        'S' or 'D' when call == FutexCall && gil.Contains(argument) => ThreadStates.WaitingForGil,
        'S' or 'D' => ThreadStates.Idle,
        _ => null,
    };
}
