using Host.Linux;

namespace Host.Reading;

/// <summary>
/// Stops every thread of a target for the moment a consistent read takes, with PTRACE_SEIZE and
/// PTRACE_INTERRUPT, which need no signal the target could see, and releases them on dispose.
/// A signal that arrived while a thread was held is handed back when it is released, so the
/// target gets it as it would have. If host dies first, the kernel releases them: a tracer's exit
/// detaches its tracees. ptrace ties tracees to the thread that seized them, so the whole freeze,
/// read and release must happen on one thread, in one call (see <see cref="OutsideReader"/>).
/// </summary>
internal sealed unsafe class ThreadFreeze : IDisposable
{
    private static readonly TimeSpan StopBound = TimeSpan.FromMilliseconds(100);
    private readonly int _pid;
    private readonly Dictionary<int, int> _held = []; // tid → signal to hand back (0: none)
    private readonly List<int> _notStopped = [];

    private readonly System.Diagnostics.Stopwatch _heldFor = System.Diagnostics.Stopwatch.StartNew();

    private ThreadFreeze(int pid) => _pid = pid;

    /// <summary>From the first thread seized to the last released: the target's pause.</summary>
    public TimeSpan Pause => _heldFor.Elapsed;

    /// <summary>Threads that did not stop within the bound (e.g. in an uninterruptible wait); their stacks may be torn.</summary>
    public int NotStopped => _notStopped.Count;

    /// <summary>Stops every thread of <paramref name="pid"/>.</summary>
    /// <exception cref="FreezeRefusedException">Another tracer holds the process, or tracing it is not allowed.</exception>
    public static ThreadFreeze Stop(int pid)
    {
        var freeze = new ThreadFreeze(pid);
        try
        {
            // A thread may start while the others are being seized: list again until none is new.
            for (var round = 0; round < 8; round++)
            {
                var fresh = ProcTasks.Ids(pid);
                fresh.RemoveAll(tid => freeze._held.ContainsKey(tid));
                if (fresh.Count == 0)
                    break;
                foreach (var tid in fresh)
                    freeze.Seize(tid);
                foreach (var tid in fresh)
                    freeze.AwaitStop(tid);
            }
            return freeze;
        }
        catch
        {
            freeze.Dispose();
            throw;
        }
    }

    private void Seize(int tid)
    {
        if (Ptrace.Call(Ptrace.Seize, tid, 0, 0) != 0)
        {
            var error = System.Runtime.InteropServices.Marshal.GetLastPInvokeError();
            if (error == Ptrace.ESRCH)
                return; // it exited
            throw new FreezeRefusedException(error == Ptrace.EPERM
                ? $"thread {tid} is traced by another process or may not be traced"
                : $"ptrace(SEIZE) of thread {tid} failed (errno {error})");
        }
        _held[tid] = 0;
        _notStopped.Add(tid);
        Ptrace.Call(Ptrace.Interrupt, tid, 0, 0);
    }

    private void AwaitStop(int tid)
    {
        if (!_notStopped.Contains(tid))
            return;
        var deadline = DateTime.UtcNow + StopBound;
        int status;
        while (true)
        {
            var waited = Ptrace.WaitPid(tid, &status, Ptrace.WaitAll | Ptrace.NoHang);
            if (waited == tid)
            {
                if (!Ptrace.IsStopped(status))
                {
                    // It exited while being seized.
                    _held.Remove(tid);
                    _notStopped.Remove(tid);
                    return;
                }
                _notStopped.Remove(tid);
                if (!Ptrace.IsEventStop(status))
                    _held[tid] = Ptrace.StopSignal(status); // a signal was on its way in: keep it for the release
                return;
            }
            if (waited < 0 || DateTime.UtcNow > deadline)
                return;
            Thread.Yield();
        }
    }

    public void Dispose()
    {
        foreach (var tid in _held.Keys.ToList())
        {
            if (_notStopped.Contains(tid))
                AwaitLateStop(tid);
            Ptrace.Call(Ptrace.Detach, tid, 0, _held[tid]);
        }
        _held.Clear();
        _heldFor.Stop();
    }

    /// <summary>A tracee can be detached only while stopped: give a late one a last bounded wait.</summary>
    private void AwaitLateStop(int tid)
    {
        var deadline = DateTime.UtcNow + StopBound;
        int status;
        while (DateTime.UtcNow < deadline)
        {
            var waited = Ptrace.WaitPid(tid, &status, Ptrace.WaitAll | Ptrace.NoHang);
            if (waited == tid || waited < 0)
            {
                if (waited == tid && Ptrace.IsStopped(status) && !Ptrace.IsEventStop(status))
                    _held[tid] = Ptrace.StopSignal(status);
                return;
            }
            Thread.Sleep(1);
        }
        // Still running in the kernel: it stays seized until host exits, which detaches it.
    }
}

/// <summary>The threads cannot be stopped for a consistent read; the reader goes on without stopping them.</summary>
internal sealed class FreezeRefusedException(string message) : Exception(message);
