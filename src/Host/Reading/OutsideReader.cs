using Host.Abstractions;
using Host.Linux;
using Host.Processes;
using Host.Reading.Layouts;

namespace Host.Reading;

/// <summary>
/// Every thread's Python stack, read from the target's memory: the interpreter's thread list,
/// each thread's frames and lines, which thread holds the GIL and what each OS thread is doing.
/// By default the threads are stopped for the memory reads only (what /proc says is read before,
/// source files after), so the target's pause is as short as the reads.
/// </summary>
internal static class OutsideReader
{
    /// <summary>
    /// Reads synchronously, on the caller's thread: ptrace ties the stopped threads to the thread that
    /// stopped them, so stopping, reading and releasing happen in this one call, and a dump that
    /// never yields never pays for starting the thread pool.
    /// </summary>
    public static Task<PythonStacks> ReadAsync(TargetProcess target, StackReadOptions options)
    {
        try
        {
            return Task.FromResult(Read(target, options));
        }
        catch (Exception error)
        {
            return Task.FromException<PythonStacks>(error);
        }
    }

    /// <exception cref="CapabilityException">The interpreter cannot be read, reading is not allowed, or the process exited.</exception>
    public static PythonStacks Read(TargetProcess target, StackReadOptions options)
    {
        var pid = target.Pid;
        try
        {
            using var memory = new ProcessMemory(pid);
            var interpreter = EarlyInspection.FindInterpreter(target, memory);
            // Warm already when the early inspection ran a read of its own (it did if it found the
            // interpreter), but for locals, which that read does not ask for.
            var warm = EarlyInspection.AwaitWarmUp(pid);
            return Dump(target, interpreter, memory, options, warmUp: !warm || options.Locals);
        }
        catch (Exception error) when (ReadFailures.Translate(error, target) is { } failure)
        {
            throw failure;
        }
    }

    /// <summary>One dump of an interpreter found already; <paramref name="warmUp"/>: run the reader once first, while the threads run.</summary>
    internal static PythonStacks Dump(TargetProcess target, ReadableInterpreter interpreter, ProcessMemory memory, StackReadOptions options, bool warmUp)
    {
        var pid = target.Pid;
        var activity = ThreadActivity.Observe(pid);
        var snapshot = TakeSnapshot(memory, interpreter, options, pid, activity, warmUp);
        var sources = new SourceLines(pid);
        // Names are read once the threads run again: they need no consistent moment, and dicts are many reads.
        var named = new List<ThreadingThread>();
        var interpreters = new AddressSet();
        foreach (var thread in snapshot.Threads)
        {
            if (interpreters.Add(thread.Thread.Interpreter))
                named.AddRange(ThreadNames.Read(memory, interpreter, thread.Thread.Interpreter));
        }
        var threads = new List<PythonThread>(snapshot.Threads.Count);
        foreach (var thread in snapshot.Threads)
            threads.Add(thread.ToModel(pid, activity, sources, named.Find(t => t.Ident == thread.Thread.Ident)));
        var version = target.Version is { } v ? $"{v.Major}.{v.Minor}.{v.Micro}{(target.IsFreeThreaded ? "t" : "")}" : target.PythonVersion;
        return new PythonStacks(pid, version, target.Executable, threads)
        {
            Method = "read",
            ThreadsStopped = snapshot.Stopped,
            PauseMilliseconds = snapshot.Pause is { } pause ? Math.Round(pause.TotalMilliseconds, 2) : null,
        };
    }

    /// <summary>
    /// HOST_TEST_HOLD_STOPPED_MS: keep the threads stopped that long after the read, so that a test can
    /// kill host while it holds them and see the kernel release them. Never set outside tests.
    /// </summary>
    private static TimeSpan? HoldForTests =>
        int.TryParse(Environment.GetEnvironmentVariable("HOST_TEST_HOLD_STOPPED_MS"), out var ms) && ms > 0 ? TimeSpan.FromMilliseconds(Math.Min(ms, 60_000)) : null;

    /// <summary>
    /// A first read while the threads run, thrown away: .NET runs a method far slower the first
    /// time than after, so running every step once beforehand leaves the read the stopped threads
    /// wait for little but its system calls. A torn read here does no harm; nothing of it is kept.
    /// </summary>
    private static void WarmUp(ProcessMemory memory, ReadableInterpreter interpreter, ThreadActivity activity, StackReadOptions options)
    {
        try
        {
            ThreadSnapshot.ReadAll(memory, interpreter, new StackReadOptions { Locals = options.Locals }, activity);
        }
        catch (Exception error) when (error is not ProcessGoneException)
        {
            // Whatever went wrong shows again, and is reported, in the read that counts.
        }
    }

    private sealed record Snapshot(List<ThreadSnapshot> Threads, bool Stopped, TimeSpan? Pause);

    private static Snapshot TakeSnapshot(ProcessMemory memory, ReadableInterpreter interpreter, StackReadOptions options, int pid, ThreadActivity activity, bool warmUp)
    {
        ThreadFreeze? freeze = null;
        // A process stopped as a whole (SIGSTOP, a debugger's stop) is still already: read it as it is.
        var stopped = ProcFs.State(pid) is 'T' or 't';
        if (!options.Nonblocking && !stopped)
        {
            try
            {
                if (warmUp)
                    WarmUp(memory, interpreter, activity, options);
                freeze = ThreadFreeze.Stop(pid);
                stopped = freeze.NotStopped == 0;
            }
            catch (FreezeRefusedException)
            {
                // Traced by someone else: read it running, and say that a stack may be torn.
            }
        }
        List<ThreadSnapshot> threads;
        try
        {
            threads = ThreadSnapshot.ReadAll(memory, interpreter, options, activity);
            if (freeze is not null && HoldForTests is { } hold)
                Thread.Sleep(hold);
        }
        finally
        {
            freeze?.Dispose();
        }
        return new Snapshot(threads, stopped, freeze?.Pause);
    }
}
