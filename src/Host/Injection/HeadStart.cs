using System.Text.Json;
using Host.Injection.Gdb;
using Host.Processes;

namespace Host.Injection;

/// <summary>
/// Attach work begun before the command line is parsed, when the arguments already name the target
/// (`host run NAME --pid N`), so that it overlaps with loading the plugins instead of following it:
/// a prestarted gdb where gdb is the only injector, and, on another thread, what every attach does
/// first whatever the capability (inspect the target, find the agent, make the session directory and
/// copy the agent in). Each part is taken at most once, by the first attach; what is never taken
/// (a usage error, --help, a capability that does not attach) is undone on dispose.
/// </summary>
internal sealed class HeadStart : IAsyncDisposable
{
    private readonly int _pid;
    private readonly Task<PreparedTarget>? _target;
    private PendingGdb? _gdb;
    private int _targetTaken;

    private HeadStart(int pid, Task<PreparedTarget>? target, PendingGdb? gdb)
    {
        _pid = pid;
        _target = target;
        _gdb = gdb;
    }

    public static HeadStart For(IReadOnlyList<string> args, int? pid)
    {
        var gdb = GdbPrestart.ForArguments(args);
        var target = pid is > 0 ? Start(pid.Value) : null;
        return new HeadStart(pid ?? 0, target, gdb);
    }

    // A thread of its own: the first Task.Run would first start the thread pool, which costs
    // more on this thread than the work saves.
    private static Task<PreparedTarget> Start(int pid)
    {
        var done = new TaskCompletionSource<PreparedTarget>(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try
            {
                done.SetResult(Prepare(pid));
            }
            catch (Exception error)
            {
                done.SetException(error);
            }
        })
        {
            IsBackground = true,
            Name = "attach head start",
        };
        thread.Start();
        return done.Task;
    }

    public PendingGdb? TakeGdb() => Interlocked.Exchange(ref _gdb, null);

    /// <summary>
    /// The target prepared for this pid, the first time it is asked for; otherwise null. Throws what
    /// the inspection threw (not a Python process, permission denied, ...), as an attach would.
    /// </summary>
    public PreparedTarget? TakeTarget(int pid)
    {
        if (_target is null || pid != _pid || Interlocked.Exchange(ref _targetTaken, 1) != 0)
            return null;
        return _target.GetAwaiter().GetResult();
    }

    private static PreparedTarget Prepare(int pid)
    {
        var process = TargetInspector.Inspect(pid);
        StaleSessions.Sweep();
        var agent = AgentLibrary.Find();
        var session = SessionDirectory.ForTarget(process);
        try
        {
            session.CopyOnce(agent.Path, AgentLibrary.FileInSession);
        }
        catch
        {
            session.Dispose();
            throw;
        }
        WarmUpJson();
        return new PreparedTarget(process, agent, session);
    }

    // Every capability reads the injector's events and the payload's messages as JSON right after
    // the injection; the first use of the JSON reader and writer (loading them, compiling their
    // generic code) is paid here, while the plugins load, rather than on the way.
    private static void WarmUpJson()
    {
        using (JsonDocument.Parse("{\"event\": \"result\", \"value\": 0}"))
        {
        }
        using var writer = new Utf8JsonWriter(Stream.Null);
        writer.WriteStartObject();
        writer.WriteString("channel", "/tmp");
        writer.WriteEndObject();
    }

    public async ValueTask DisposeAsync()
    {
        if (TakeGdb() is { } gdb)
            await gdb.DisposeAsync().ConfigureAwait(false);
        if (_target is null || Interlocked.Exchange(ref _targetTaken, 1) != 0)
            return;
        try
        {
            (await _target.ConfigureAwait(false)).Session.Dispose();
        }
        catch (Exception)
        {
            // Nothing was made, and nobody asked for the target: its error is not this command's.
        }
    }
}
