using Host.Abstractions;

namespace Host.Recipes.Lua;

/// <summary>
/// The recipe API as one object for RecipeRunner: it builds the `raw` table sandbox.lua wraps (the
/// whole list of C functions is here, each implemented by one of the *Functions classes), holds
/// what the recipe opened, and closes all of it when the recipe ends.
/// </summary>
internal sealed class RecipeApi : IAsyncDisposable
{
    private readonly RecipeHost _host;
    private readonly RawTable _raw;
    private readonly RecipeHandles _handles = new();
    private readonly OutputFunctions _output;
    private readonly ClockFunctions _clock;
    private readonly JsonFunctions _json = new();
    private readonly TargetFunctions _target;
    private readonly PythonFunctions _python;
    private readonly ChannelFunctions _channel;
    private readonly RunCapabilityFunction _run;
    private readonly FindModuleFunction _findModule;
    private readonly ReadFunctions _read;
    private readonly SampleFunctions _sample;

    public RecipeApi(RecipeHost host)
    {
        _host = host;
        _raw = new RawTable(_host);
        _output = new OutputFunctions(_host);
        _clock = new ClockFunctions(_host);
        _target = new TargetFunctions(_host, _handles);
        _python = new PythonFunctions(_host, _handles, _json);
        _channel = new ChannelFunctions(_host, _handles);
        _run = new RunCapabilityFunction(_host, _handles, _json);
        _findModule = new FindModuleFunction(_host);
        _read = new ReadFunctions(_host, _handles, _json);
        _sample = new SampleFunctions(_host, _handles, _json);
    }

    /// <summary>The last primitive that failed: its exit code and hint, if the recipe ends with its error.</summary>
    public CapabilityException? LastFailure => _raw.LastFailure;

    /// <summary>The target of --pid, attached before the recipe starts.</summary>
    public long AddTarget(ITarget target) => _handles.AddTarget(target);

    /// <summary>Pushes the `raw` table sandbox.lua is called with.</summary>
    public void PushRawTable(KeraLua.Lua lua, RecipeArguments arguments, long? mainTarget)
    {
        lua.NewTable();
        _raw.Add(lua, "write", _output.Write);
        _raw.Add(lua, "log", _output.Log);
        _raw.Add(lua, "sleep", _clock.Sleep);
        _raw.Add(lua, "now", _clock.Now);
        _raw.Add(lua, "set_null", _json.SetNull);
        _raw.Add(lua, "json_encode", _json.Encode);
        _raw.Add(lua, "json_decode", _json.Decode);
        _raw.Add(lua, "attach", _target.Attach);
        _raw.Add(lua, "call", _target.Call);
        _raw.Add(lua, "python", _python.Python);
        _raw.Add(lua, "job_wait", _python.JobWait);
        _raw.Add(lua, "fifo", _channel.Fifo);
        _raw.Add(lua, "next_line", _channel.NextLine);
        _raw.Add(lua, "close", _channel.Close);
        _raw.Add(lua, "detach", _target.Detach);
        _raw.Add(lua, "run", _run.Run);
        _raw.Add(lua, "find_module", _findModule.FindModule);
        _raw.Add(lua, "threads", _read.Threads);
        _raw.Add(lua, "sample", _sample.Sample);
        RecipeTables.PushArguments(lua, arguments);
        lua.SetField(-2, "args");
        lua.PushString(_host.Recipe.Name);
        lua.SetField(-2, "recipe");
        if (mainTarget is { } handle)
        {
            RecipeTables.PushTargetInfo(lua, handle, _handles.Target(handle).Process);
            lua.SetField(-2, "target");
        }
    }

    public ValueTask DisposeAsync() => _handles.DisposeAsync();
}
