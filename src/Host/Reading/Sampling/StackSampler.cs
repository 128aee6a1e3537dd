using Host.Abstractions;
using Host.Linux;
using Host.Processes;
using Host.Reading.Layouts;

namespace Host.Reading.Sampling;

/// <summary>
/// The sampling primitive (<see cref="IStackSampler"/>) for one target. Each sample: what /proc
/// says each thread is doing (before any stop: stopped, every thread looks the same), then, with
/// the threads stopped if asked, the thread list, every chain of frames walked side by side, the
/// code objects checked in one batch and the GIL's holder; the threads are released before
/// anything is named. What a sample learns is kept for the next (see <see cref="FrameTable"/>,
/// <see cref="ThreadListing"/>, <see cref="ThreadIdentities"/>).
/// </summary>
internal sealed class StackSampler : IStackSampler
{
    private const string Torn = "the stack changed while it was read";
    private readonly SamplerOptions _options;
    private readonly ProcessMemory _memory;
    private readonly ReadableInterpreter _interpreter;
    private readonly ThreadListing _listing;
    private readonly FrameWalk _walk;
    private readonly FrameTable _table;
    private readonly ThreadIdentities _identities;
    private readonly TaskStatusFiles _status;
    private readonly Dictionary<int, (char? State, long Call, ulong Argument)> _activity = [];
    private readonly Dictionary<ulong, GilView> _gils = [];
    private readonly List<ulong> _codes = [];
    private readonly AddressSet _distinct = new();
    private bool _freezeRefused;

    /// <exception cref="CapabilityException">The interpreter cannot be found or read, reading is not allowed, or the process exited.</exception>
    public StackSampler(TargetProcess process, SamplerOptions options)
    {
        Process = process;
        _options = options;
        _memory = new ProcessMemory(process.Pid);
        try
        {
            _interpreter = EarlyInspection.FindInterpreter(process, _memory);
            _listing = new ThreadListing(_memory, _interpreter);
            _identities = new ThreadIdentities(process.Pid, _memory, _interpreter);
            // Who the threads are, so that the first sample already knows what each is doing.
            _identities.Update(_listing.Read());
        }
        catch (Exception error) when (ReadFailures.Translate(error, process) is { } failure)
        {
            _memory.Dispose();
            throw failure;
        }
        _walk = new FrameWalk(_memory, _interpreter.Layout);
        _table = new FrameTable(_memory, _interpreter);
        _status = new TaskStatusFiles(process.Pid);
    }

    public TargetProcess Process { get; }

    public bool HasGil => _interpreter.Layout.Gil.Record != GilRecord.None && !Process.IsFreeThreaded;

    public SampledFrame Frame(int id) => _table.Frame(id);

    public StackSample Sample()
    {
        try
        {
            return Take();
        }
        catch (Exception error) when (ReadFailures.Translate(error, Process) is { } failure)
        {
            throw failure;
        }
    }

    private StackSample Take()
    {
        ObserveActivity();
        ThreadFreeze? freeze = null;
        // A process stopped as a whole (SIGSTOP, a debugger) is still already; ptrace would only add to its stop.
        var wholeStop = _activity.TryGetValue(_identities.InnerPid, out var main) && main.State is 'T' or 't';
        if (_options.StopThreads && !_freezeRefused && !wholeStop)
        {
            try
            {
                freeze = ThreadFreeze.Stop(Process.Pid);
            }
            catch (FreezeRefusedException)
            {
                // Traced by someone else: read it running from now on, and say the stacks may be torn.
                _freezeRefused = true;
            }
        }
        List<OutsideThread> threads;
        IReadOnlyList<SampledChain> chains;
        try
        {
            threads = _listing.Read();
            chains = _walk.Walk(threads);
            _codes.Clear();
            _distinct.Clear();
            foreach (var chain in chains)
            {
                foreach (var code in chain.Codes)
                {
                    if (_distinct.Add(code))
                        _codes.Add(code);
                }
            }
            _table.Refresh(_codes);
            _gils.Clear();
            foreach (var thread in threads)
            {
                if (!_gils.ContainsKey(thread.Interpreter))
                    _gils[thread.Interpreter] = GilView.Read(_memory, _interpreter, thread.Interpreter);
            }
        }
        finally
        {
            freeze?.Dispose();
        }
        var taskReads = _identities.TaskReads;
        _identities.Update(threads);
        if (_identities.TaskReads != taskReads)
            _status.Keep(_identities.HostTids);
        var sampled = new SampledThread[threads.Count];
        for (var i = 0; i < threads.Count; i++)
            sampled[i] = Describe(threads[i], chains[i]);
        return new StackSample(sampled)
        {
            ThreadsStopped = freeze is not null && freeze.NotStopped == 0 || wholeStop,
            PauseMilliseconds = freeze is null ? null : Math.Round(freeze.Pause.TotalMilliseconds, 3),
        };
    }

    /// <summary>Each known thread's /proc state (and, asleep, its system call), by the process's own thread id.</summary>
    private void ObserveActivity()
    {
        _activity.Clear();
        foreach (var (inner, host) in _identities.Tasks)
        {
            var state = _status.State(host);
            var call = _options.GilWaits && state is 'S' or 'D' ? _status.BlockedCall(host) : null;
            _activity[inner] = (state, call?.Number ?? -1, call?.FirstArgument ?? 0);
        }
    }

    private SampledThread Describe(OutsideThread thread, SampledChain chain)
    {
        var gil = _gils.TryGetValue(thread.Interpreter, out var view) ? view : new GilView(false, null, 0, 0);
        var native = _identities.NativeId(thread);
        string? state = null;
        if (native is { } tid && _activity.TryGetValue(tid, out var seen))
            state = ThreadActivity.Classify(seen.State, seen.Call, seen.Argument, gil);
        var frames = Frames(chain, out var failure);
        return new SampledThread((long)thread.Ident, frames)
        {
            NativeId = native,
            Name = _identities.Name(thread.Ident),
            Main = native == _identities.InnerPid,
            State = state,
            HoldsGil = gil.Known && HasGil ? gil.Holder == thread.State : null,
            Failure = failure,
        };
    }

    /// <summary>The chain's frame ids, outermost first; none, and why, when any frame of it could not be read.</summary>
    private int[] Frames(SampledChain chain, out string? failure)
    {
        failure = chain.Broken ? Torn : null;
        if (failure is not null)
            return [];
        var count = chain.Codes.Count;
        var frames = new int[count];
        for (var i = 0; i < count; i++)
        {
            var inner = count - 1 - i;
            if (_table.Id(chain.Codes[inner], chain.Instructions[inner], chain.BytecodeIndexes[inner]) is not { } id)
            {
                failure = Torn;
                return [];
            }
            frames[i] = id;
        }
        return frames;
    }

    public void Dispose()
    {
        _status.Dispose();
        _memory.Dispose();
    }
}
