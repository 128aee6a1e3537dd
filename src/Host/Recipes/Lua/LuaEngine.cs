using System.Text;
using KeraLua;

namespace Host.Recipes.Lua;

/// <summary>
/// One Lua 5.4 state (NLua over KeraLua) running one recipe in its sandbox. The recipe's main chunk
/// runs as a coroutine; a count hook checks the stop token every few thousand instructions and,
/// when it is set, yields, which ends the run without an error being thrown through .NET frames.
/// </summary>
internal sealed class LuaEngine : IDisposable
{
    private const int HookInstructions = 4096;
    private readonly NLua.Lua _engine = new(openLibs: true);
    private readonly CancellationToken _stop;
    private readonly LuaHookFunction _hook;

    public LuaEngine(CancellationToken stop)
    {
        _stop = stop;
        _hook = OnCount;
        State.Encoding = Encoding.UTF8;
    }

    private KeraLua.Lua State => _engine.State;

    /// <summary>Runs the recipe in the sandbox built by sandbox.lua.</summary>
    /// <param name="pushRaw">Pushes the table of C functions that sandbox.lua is called with.</param>
    public LuaOutcome Run(string source, string chunkName, Action<KeraLua.Lua> pushRaw)
    {
        var lua = State;
        if (lua.LoadString(Embedded.Sandbox, "=sandbox") != LuaStatus.OK)
            throw new InvalidOperationException("sandbox.lua: " + lua.ToString(-1, false));
        pushRaw(lua);
        if (lua.PCall(1, 1, 0) != LuaStatus.OK)
            throw new InvalidOperationException("sandbox.lua: " + lua.ToString(-1, false));
        lua.PushString(source);
        lua.PushString("@" + chunkName);
        if (lua.PCall(2, 2, 0) != LuaStatus.OK)
            throw new InvalidOperationException("sandbox.lua: " + lua.ToString(-1, false));
        if (lua.IsNil(-2))
            return LuaOutcome.Failed(lua.ToString(-1, false), traceback: null);
        lua.Pop(1);
        var thread = lua.NewThread();
        lua.Rotate(-2, 1);
        lua.XMove(thread, 1);
        thread.SetHook(_hook, LuaHookMask.Count, HookInstructions);
        var status = thread.Resume(null, 0, out _);
        if (_stop.IsCancellationRequested)
            return LuaOutcome.Stopped();
        return status switch
        {
            LuaStatus.OK => LuaOutcome.Finished(),
            LuaStatus.Yield => LuaOutcome.Failed("the recipe called coroutine.yield outside a coroutine", traceback: null),
            _ => LuaOutcome.Failed(ErrorText(thread), Traceback(lua, thread)),
        };
    }

    private static string ErrorText(KeraLua.Lua thread) => thread.Type(-1) switch
    {
        LuaType.String or LuaType.Number => thread.ToString(-1, false),
        LuaType.Nil => "error(nil) was raised",
        var other => $"an error value of type {thread.TypeName(other)} was raised (give error() a string)",
    };

    private static string Traceback(KeraLua.Lua lua, KeraLua.Lua thread)
    {
        lua.Traceback(thread, 0);
        var text = lua.ToString(-1, false);
        lua.Pop(1);
        return text;
    }

    // Yielding from a count hook returns to the resume in Run without unwinding through this frame.
    private void OnCount(IntPtr state, IntPtr debug)
    {
        if (!_stop.IsCancellationRequested)
            return;
        var lua = KeraLua.Lua.FromIntPtr(state);
        if (lua.IsYieldable)
            lua.Yield(0);
    }

    public void Dispose() => _engine.Dispose();
}
