using Host.Abstractions;

namespace Host.Recipes.Lua;

/// <summary>
/// The recipe API as one object for RecipeRunner: it builds the `raw` table sandbox.lua wraps (the
/// whole list of C functions is here, each implemented by one of the *Functions classes), holds
/// what the recipe opened, and closes all of it when the recipe ends.
/// </summary>
internal sealed class RecipeApi : IAsyncDisposable
{
    private readonly RecipeHost host;
    private readonly RawTable raw;
    private readonly RecipeHandles handles = new();
    private readonly OutputFunctions output;
    private readonly ClockFunctions clock;
    private readonly JsonFunctions json = new();
    private readonly TargetFunctions target;
    private readonly PythonFunctions python;
    private readonly ChannelFunctions channel;
    private readonly RunCapabilityFunction run;
    private readonly FindModuleFunction findModule;

    public RecipeApi(RecipeHost host)
    {
        this.host = host;
        raw = new RawTable(host);
        output = new OutputFunctions(host);
        clock = new ClockFunctions(host);
        target = new TargetFunctions(host, handles);
        python = new PythonFunctions(host, handles, json);
        channel = new ChannelFunctions(host, handles);
        run = new RunCapabilityFunction(host, handles, json);
        findModule = new FindModuleFunction(host);
    }

    /// <summary>The last primitive that failed: its exit code and hint, if the recipe ends with its error.</summary>
    public CapabilityException? LastFailure => raw.LastFailure;

    /// <summary>The target of --pid, attached before the recipe starts.</summary>
    public long AddTarget(ITarget target) => handles.AddTarget(target);

    /// <summary>Pushes the `raw` table sandbox.lua is called with.</summary>
    public void PushRawTable(KeraLua.Lua lua, RecipeArguments arguments, long? mainTarget)
    {
        lua.NewTable();
        raw.Add(lua, "write", output.Write);
        raw.Add(lua, "log", output.Log);
        raw.Add(lua, "sleep", clock.Sleep);
        raw.Add(lua, "now", clock.Now);
        raw.Add(lua, "set_null", json.SetNull);
        raw.Add(lua, "json_encode", json.Encode);
        raw.Add(lua, "json_decode", json.Decode);
        raw.Add(lua, "attach", target.Attach);
        raw.Add(lua, "call", target.Call);
        raw.Add(lua, "python", python.Python);
        raw.Add(lua, "job_wait", python.JobWait);
        raw.Add(lua, "fifo", channel.Fifo);
        raw.Add(lua, "next_line", channel.NextLine);
        raw.Add(lua, "close", channel.Close);
        raw.Add(lua, "detach", target.Detach);
        raw.Add(lua, "run", run.Run);
        raw.Add(lua, "find_module", findModule.FindModule);
        RecipeTables.PushArguments(lua, arguments);
        lua.SetField(-2, "args");
        lua.PushString(host.Recipe.Name);
        lua.SetField(-2, "recipe");
        if (mainTarget is { } handle)
        {
            RecipeTables.PushTargetInfo(lua, handle, handles.Target(handle).Process);
            lua.SetField(-2, "target");
        }
    }

    public ValueTask DisposeAsync() => handles.DisposeAsync();
}
