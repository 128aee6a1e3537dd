using Host.Abstractions;
using Host.Linux;
using Host.Reading.Layouts;

namespace Host.Reading;

/// <summary>One thread as read from memory while the threads were held: everything the model needs that memory alone says.</summary>
internal sealed record ThreadSnapshot(OutsideThread Thread, int? NativeId, List<OutsideFrame> Frames, GilView Gil, List<IReadOnlyList<string>>?[]? Locals)
{
    public static List<ThreadSnapshot> ReadAll(ProcessMemory memory, ReadableInterpreter interpreter, StackReadOptions options, ThreadActivity activity)
    {
        var threads = OutsideThreads.Read(memory, interpreter);
        var gils = new AddressMap<GilView>();
        int[]? natives = null;
        if (interpreter.Layout.NativeThreadId is null)
        {
            var idents = new List<ulong>(threads.Count);
            foreach (var thread in threads)
                idents.Add(thread.Ident);
            natives = NativeThreadIds.Find(memory, activity.InnerPid, activity.Tasks.Inner, idents);
        }
        var values = options.Locals ? new RemoteValues(memory, interpreter) : null;
        var stacks = new OutsideStacks(memory, interpreter).ReadAll(threads);
        var snapshots = new List<ThreadSnapshot>(threads.Count);
        for (var i = 0; i < threads.Count; i++)
        {
            var thread = threads[i];
            if (!gils.TryGet(thread.Interpreter, out var gil) || gil is null)
                gils.Set(thread.Interpreter, gil = GilView.Read(memory, interpreter, thread.Interpreter));
            int? native = thread.NativeId is { } recorded ? (int)recorded : natives is not null && natives[i] != 0 ? natives[i] : null;
            var frames = stacks[i];
            List<IReadOnlyList<string>>?[]? locals = null;
            if (values is not null)
            {
                locals = new List<IReadOnlyList<string>>?[frames.Count];
                for (var f = 0; f < frames.Count; f++)
                    locals[f] = values.LocalsOf(frames[f]);
            }
            snapshots.Add(new ThreadSnapshot(thread, native, frames, gil, locals));
        }
        return snapshots;
    }

    /// <summary>The model's thread: frames outermost first, with source lines read now that the threads run again.</summary>
    /// <param name="threading">What the threading module says of this thread, or null where it does not know it.</param>
    public PythonThread ToModel(int pid, ThreadActivity activity, SourceLines sources, ThreadingThread? threading)
    {
        var frames = new PythonFrame[Frames.Count];
        for (var i = 0; i < Frames.Count; i++)
        {
            var frame = Frames[Frames.Count - 1 - i];
            frames[i] = new PythonFrame(frame.File, frame.Line, frame.Function, sources.Line(frame.File, frame.Line), Locals?[Frames.Count - 1 - i]);
        }
        bool? holdsGil = Gil.Known ? Gil.Holder == Thread.State : null;
        return new PythonThread((long)Thread.Ident, NativeId, threading?.Name ?? OsName(pid, activity), threading?.Daemon, Main: NativeId == activity.InnerPid, frames)
        {
            HoldsGil = holdsGil,
            State = NativeId is { } tid ? activity.StateOf(tid, Gil) : null,
        };
    }

    /// <summary>The OS's name for the thread where it is its own (3.14+ name OS threads after threading's names); null where it is just the program's.</summary>
    private string? OsName(int pid, ThreadActivity activity)
    {
        if (NativeId is not { } inner || inner == activity.InnerPid || activity.Tasks.HostOf(inner) is not { } tid)
            return null;
        var name = ProcTasks.Name(pid, tid);
        return name is null || name == ProcTasks.Name(pid, pid) ? null : name;
    }
}
