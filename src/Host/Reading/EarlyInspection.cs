using System.Runtime.ExceptionServices;
using Host.Abstractions;
using Host.Linux;
using Host.Processes;
using Host.Reading.Layouts;

namespace Host.Reading;

/// <summary>
/// The target of `host run NAME -p PID` looked at while host itself starts: on a thread of its
/// own, during the milliseconds .NET spends loading the plugins, it is inspected
/// (<see cref="TargetInspector"/>), its interpreter found, and its stacks read once without
/// stopping a thread, a read thrown away that runs the reader's code for the first time (.NET runs
/// a method far slower then), so that a dump that reads the target waits for none of it. All of it
/// only reads /proc and the target's memory: it stops and changes nothing, so doing it early is
/// harmless, and if the run never asks for it, it is dropped. Each result is handed out once; a
/// later ask inspects afresh, seeing the process as it is then.
/// </summary>
internal static class EarlyInspection
{
    private static readonly Lock Guard = new();
    private static Thread? _thread;
    private static ManualResetEventSlim _inspected = new(), _found = new();
    private static int _pid;
    private static TargetProcess? _target;
    private static ReadableInterpreter? _interpreter;
    private static Exception? _inspectError, _findError;
    private static bool _targetTaken, _interpreterTaken, _warmedUp;

    /// <summary>Starts looking at <paramref name="pid"/> in the background.</summary>
    public static void Start(int pid)
    {
        _thread?.Join();
        (_pid, _target, _interpreter, _inspectError, _findError, _targetTaken, _interpreterTaken, _warmedUp) = (pid, null, null, null, null, false, false, false);
        (_inspected, _found) = (new ManualResetEventSlim(), new ManualResetEventSlim());
        _thread = new Thread(Run) { IsBackground = true, Name = "host early inspection" };
        _thread.Start();
    }

    /// <summary><see cref="TargetInspector.Inspect"/>, answered from the early inspection the first time it is asked for that pid.</summary>
    public static TargetProcess Inspect(int pid)
    {
        if (Take(pid, _inspected, ref _targetTaken))
        {
            _inspectError?.Rethrow();
            return _target!;
        }
        return TargetInspector.Inspect(pid);
    }

    /// <summary><see cref="InterpreterFinder.Find"/>, answered from the early search the first time it is asked for the target the early inspection gave.</summary>
    public static ReadableInterpreter FindInterpreter(TargetProcess target, ProcessMemory memory)
    {
        if (ReferenceEquals(target, _target) && Take(target.Pid, _found, ref _interpreterTaken))
        {
            _findError?.Rethrow();
            if (_interpreter is { } found)
                return found;
        }
        return InterpreterFinder.Find(target, memory);
    }

    /// <summary>Waits for the early read of <paramref name="pid"/>'s stacks: true when it ran (the reader's code is warm).</summary>
    public static bool AwaitWarmUp(int pid)
    {
        if (_thread is null || pid != _pid)
            return false;
        _thread.Join();
        return _warmedUp;
    }

    private static bool Take(int pid, ManualResetEventSlim ready, ref bool taken)
    {
        if (_thread is null || pid != _pid)
            return false;
        ready.Wait();
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
            _found.Set();
            return;
        }
        finally
        {
            _inspected.Set();
        }
        try
        {
            using var memory = new ProcessMemory(_pid);
            try
            {
                _interpreter = InterpreterFinder.Find(_target, memory);
            }
            catch (Exception error)
            {
                _findError = error;
                return;
            }
            finally
            {
                _found.Set();
            }
            OutsideReader.Dump(_target, _interpreter, memory, new StackReadOptions { Nonblocking = true }, warmUp: false);
            _warmedUp = true;
        }
        catch (Exception)
        {
            // An error of the warm-up read shows again, and is reported, in the read that counts.
        }
    }

    private static void Rethrow(this Exception error) => ExceptionDispatchInfo.Capture(error).Throw();
}
