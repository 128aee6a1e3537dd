using System.Diagnostics;
using Host.Linux;
using Host.Reading.Layouts;

namespace Host.Reading.Sampling;

/// <summary>
/// Who each sampled thread is: its OS thread id (recorded by 3.11+; before, found in the C
/// library's thread struct, once per thread), host's id for it (they differ in a PID namespace of
/// its own), and threading's name for it. What is known is kept; it is looked up again only when a
/// thread appears that it does not cover, and then at most every <see cref="TaskRefresh"/> (ids) or
/// <see cref="NameRefresh"/> (names, which take many reads), so a thread without a name costs nothing per sample.
/// </summary>
internal sealed class ThreadIdentities(int pid, ProcessMemory memory, ReadableInterpreter target)
{
    private static readonly TimeSpan TaskRefresh = TimeSpan.FromMilliseconds(100), NameRefresh = TimeSpan.FromSeconds(1);
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly Dictionary<ulong, int> _nativeByIdent = [];
    private readonly Dictionary<ulong, ThreadingThread> _names = [];
    private readonly Dictionary<int, int> _hostByInner = [];
    private TimeSpan _tasksReadAt = TimeSpan.FromDays(-1), _namesReadAt = TimeSpan.FromDays(-1);

    /// <summary>The process's own id for itself: its main thread's id.</summary>
    public int InnerPid => _innerPid ?? pid;

    private int? _innerPid;

    /// <summary>Host's ids of the threads last listed.</summary>
    public IReadOnlyCollection<int> HostTids => _hostByInner.Values;

    /// <summary>The threads /proc last listed: the process's own id for each, and host's.</summary>
    public IReadOnlyDictionary<int, int> Tasks => _hostByInner;

    /// <summary>How many times /proc's list was read: it changes when <see cref="Tasks"/> may have.</summary>
    public int TaskReads { get; private set; }

    /// <summary>Brings what is known up to <paramref name="threads"/>, looking up only what is new.</summary>
    public void Update(List<OutsideThread> threads)
    {
        var unknownTask = false;
        var unnamed = false;
        foreach (var thread in threads)
        {
            var native = NativeId(thread);
            unknownTask |= native is null || !_hostByInner.ContainsKey(native.Value);
            unnamed |= !_names.ContainsKey(thread.Ident);
        }
        var now = _clock.Elapsed;
        if (unknownTask && now - _tasksReadAt >= TaskRefresh)
        {
            _tasksReadAt = now;
            ReadTasks(threads);
        }
        if (unnamed && now - _namesReadAt >= NameRefresh)
        {
            _namesReadAt = now;
            ReadNames(threads);
        }
    }

    /// <summary>The thread's OS id as the process sees it, where known.</summary>
    public int? NativeId(OutsideThread thread) =>
        thread.NativeId is { } recorded ? (int)recorded : _nativeByIdent.TryGetValue(thread.Ident, out var found) ? found : null;

    /// <summary>Host's id (for /proc) of the thread the process calls <paramref name="inner"/>.</summary>
    public int? HostTid(int inner) => _hostByInner.TryGetValue(inner, out var tid) ? tid : null;

    public string? Name(ulong ident) => _names.TryGetValue(ident, out var thread) ? thread.Name : null;

    private void ReadTasks(List<OutsideThread> threads)
    {
        var tasks = ProcTasks.Ids(pid, out var innerPid);
        _innerPid = innerPid;
        TaskReads++;
        _hostByInner.Clear();
        for (var i = 0; i < tasks.Host.Count; i++)
            _hostByInner[tasks.Inner[i]] = tasks.Host[i];
        if (target.Layout.NativeThreadId is not null)
            return;
        // Before 3.11 the id is found among all the threads' structs at once (see NativeThreadIds).
        var idents = threads.ConvertAll(t => t.Ident);
        var natives = NativeThreadIds.Find(memory, innerPid, tasks.Inner, idents);
        _nativeByIdent.Clear();
        for (var i = 0; i < idents.Count; i++)
        {
            if (natives[i] != 0)
                _nativeByIdent[idents[i]] = natives[i];
        }
    }

    private void ReadNames(List<OutsideThread> threads)
    {
        _names.Clear();
        var interpreters = new AddressSet();
        foreach (var thread in threads)
        {
            if (interpreters.Add(thread.Interpreter))
            {
                foreach (var named in ThreadNames.Read(memory, target, thread.Interpreter))
                    _names[named.Ident] = named;
            }
        }
    }
}
