using System.Runtime.ExceptionServices;
using Host.Abstractions;
using Host.Linux;
using Host.Processes;
using Host.Reading.Layouts;

namespace Host.Reading;

/// <summary>
/// The target of `host run NAME -p PID` inspected while host itself starts: on a thread of its
/// own, the checks of <see cref="TargetInspector"/> and the search for its interpreter run during
/// the milliseconds .NET spends loading the plugins, so that a dump that reads the target waits
/// for neither. Both only read /proc and the target's memory: they stop and change nothing, so
/// doing them early is harmless, and if the run never asks for them they are dropped. Each
/// result is handed out once; a later ask inspects afresh, seeing the process as it is then.
/// </summary>
internal static class EarlyInspection
{
    private static readonly Lock Guard = new();
    private static Thread? _thread;
    private static int _pid;
    private static TargetProcess? _target;
    private static ReadableInterpreter? _interpreter;
    private static Exception? _inspectError, _findError;
    private static bool _targetTaken, _interpreterTaken;

    /// <summary>Starts inspecting <paramref name="pid"/> in the background.</summary>
    public static void Start(int pid)
    {
        _thread?.Join();
        (_pid, _target, _interpreter, _inspectError, _findError, _targetTaken, _interpreterTaken) = (pid, null, null, null, null, false, false);
        _thread = new Thread(Run) { IsBackground = true, Name = "host early inspection" };
        _thread.Start();
    }

    /// <summary><see cref="TargetInspector.Inspect"/>, answered from the early inspection the first time it is asked for that pid.</summary>
    public static TargetProcess Inspect(int pid)
    {
        if (Take(pid, ref _targetTaken))
        {
            _inspectError?.Rethrow();
            return _target!;
        }
        return TargetInspector.Inspect(pid);
    }

    /// <summary><see cref="InterpreterFinder.Find"/>, answered from the early search the first time it is asked for the target the early inspection gave.</summary>
    public static ReadableInterpreter FindInterpreter(TargetProcess target, ProcessMemory memory)
    {
        if (ReferenceEquals(target, _target) && Take(target.Pid, ref _interpreterTaken) && _findError is not UnauthorizedAccessException)
        {
            _findError?.Rethrow();
            if (_interpreter is { } found)
                return found;
        }
        return InterpreterFinder.Find(target, memory);
    }

    private static bool Take(int pid, ref bool taken)
    {
        if (_thread is null || pid != _pid)
            return false;
        _thread.Join();
        lock (Guard)
        {
            if (taken)
                return false;
            taken = true;
            return true;
        }
    }

    private static void Run()
    {
        try
        {
            _target = TargetInspector.Inspect(_pid);
        }
        catch (Exception error)
        {
            _inspectError = error;
            return;
        }
        try
        {
            using var memory = new ProcessMemory(_pid);
            _interpreter = InterpreterFinder.Find(_target, memory);
        }
        catch (Exception error)
        {
            _findError = error;
        }
    }

    private static void Rethrow(this Exception error) => ExceptionDispatchInfo.Capture(error).Throw();
}
