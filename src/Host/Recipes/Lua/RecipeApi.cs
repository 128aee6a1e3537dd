using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Host.Abstractions;
using KeraLua;

namespace Host.Recipes.Lua;

/// <summary>
/// The C functions behind the recipe API (sandbox.lua wraps them). Each returns true and its results,
/// or false and a message: an error is never raised from C#, because unwinding Lua (longjmp) through
/// .NET frames is not safe. Handles (targets, FIFOs, Python jobs) are numbers; everything a recipe
/// opened is closed when it ends.
/// </summary>
internal sealed partial class RecipeApi(RecipeHost host) : IAsyncDisposable
{
    private readonly Dictionary<long, ITarget> targets = [];
    private readonly Dictionary<long, (long Target, FifoReader Reader)> fifos = [];
    private readonly Dictionary<long, (long Target, PythonJob Job)> jobs = [];
    private readonly List<LuaFunction> keepAlive = [];
    private long lastHandle;
    private LuaJson? json;

    /// <summary>The last primitive that failed: its exit code and hint, if the recipe ends with its error.</summary>
    public CapabilityException? LastFailure { get; private set; }

    /// <summary>The target of --pid, attached before the recipe starts.</summary>
    public long AddTarget(ITarget target)
    {
        targets[++lastHandle] = target;
        return lastHandle;
    }

    /// <summary>Pushes the `raw` table sandbox.lua is called with.</summary>
    public void PushRawTable(KeraLua.Lua lua, RecipeArguments arguments, long? mainTarget)
    {
        lua.NewTable();
        Add(lua, "write", Write);
        Add(lua, "log", Log);
        Add(lua, "sleep", Sleep);
        Add(lua, "now", l => { l.PushNumber((DateTime.UtcNow - DateTime.UnixEpoch).TotalSeconds); return 1; });
        Add(lua, "set_null", SetNull);
        Add(lua, "json_encode", l => { l.PushString(Json.Encode(l, 1)); return 1; });
        Add(lua, "json_decode", JsonDecode);
        Add(lua, "attach", Attach);
        Add(lua, "call", Call);
        Add(lua, "python", Python);
        Add(lua, "job_wait", JobWait);
        Add(lua, "fifo", Fifo);
        Add(lua, "next_line", NextLine);
        Add(lua, "close", Close);
        Add(lua, "detach", Detach);
        Add(lua, "run", Run);
        Add(lua, "find_module", FindModule);
        PushArguments(lua, arguments);
        lua.SetField(-2, "args");
        lua.PushString(host.Recipe.Name);
        lua.SetField(-2, "recipe");
        if (mainTarget is { } handle)
        {
            PushTargetInfo(lua, handle, targets[handle].Process);
            lua.SetField(-2, "target");
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var (_, job) in jobs.Values)
            await job.DisposeAsync().ConfigureAwait(false);
        foreach (var (_, reader) in fifos.Values)
            await reader.DisposeAsync().ConfigureAwait(false);
        foreach (var target in targets.Values)
            await target.DisposeAsync().ConfigureAwait(false);
        jobs.Clear();
        fifos.Clear();
        targets.Clear();
    }

    private LuaJson Json => json ?? throw new InvalidOperationException("sandbox.lua did not register json.null");

    private void Add(KeraLua.Lua lua, string name, Func<KeraLua.Lua, int> body)
    {
        LuaFunction function = state => Invoke(state, name, body);
        keepAlive.Add(function);
        lua.PushCFunction(function);
        lua.SetField(-2, name);
    }

    private int Invoke(IntPtr state, string name, Func<KeraLua.Lua, int> body)
    {
        var lua = KeraLua.Lua.FromIntPtr(state);
        var arguments = lua.GetTop();
        try
        {
            lua.CheckStack(8);
            var results = body(lua);
            lua.PushBoolean(true);
            lua.Insert(-(results + 1));
            return results + 1;
        }
        catch (Exception error)
        {
            lua.SetTop(arguments);
            lua.PushBoolean(false);
            lua.PushString(Describe(error));
            return 2;
        }
    }

    private string Describe(Exception error)
    {
        switch (error)
        {
            case CapabilityException failure:
                LastFailure = failure;
                return failure.Message;
            case OperationCanceledException when host.Stop.IsCancellationRequested:
                return "the recipe is being stopped (--timeout or Ctrl-C)";
            case RecipeApiException or JsonException:
                return error.Message;
            default:
                return $"{error.GetType().Name}: {error.Message}";
        }
    }

    private static T Wait<T>(Task<T> task) => task.GetAwaiter().GetResult();

    private static void Wait(Task task) => task.GetAwaiter().GetResult();

    private static void Wait(ValueTask task) => task.AsTask().GetAwaiter().GetResult();

    private int Write(KeraLua.Lua lua)
    {
        host.Progress.Report("");
        host.Output.WriteLine(LuaArguments.String(lua, 1, "print"));
        host.Output.Flush();
        return 0;
    }

    private int Log(KeraLua.Lua lua)
    {
        host.Progress.Report("");
        Console.Error.WriteLine($"{host.Recipe.Name}: {LuaArguments.String(lua, 1, "log")}");
        return 0;
    }

    private int Sleep(KeraLua.Lua lua)
    {
        var milliseconds = LuaArguments.Number(lua, 1, "sleep(ms)");
        if (milliseconds < 0 || milliseconds > int.MaxValue)
            throw new RecipeApiException($"sleep: {milliseconds} is not a number of milliseconds");
        Wait(Task.Delay(TimeSpan.FromMilliseconds(milliseconds), host.Stop));
        return 0;
    }

    private int SetNull(KeraLua.Lua lua)
    {
        lua.PushCopy(1);
        json = new LuaJson(lua.Ref(LuaRegistry.Index));
        return 0;
    }

    private int JsonDecode(KeraLua.Lua lua)
    {
        var text = LuaArguments.String(lua, 1, "json.decode");
        try
        {
            using var document = JsonDocument.Parse(text);
            Json.Push(lua, document.RootElement);
        }
        catch (JsonException error)
        {
            throw new RecipeApiException($"json.decode: not valid JSON: {error.Message}");
        }
        return 1;
    }

    private int Attach(KeraLua.Lua lua)
    {
        var pid = LuaArguments.Integer(lua, 1, "attach(pid)");
        if (pid is <= 0 or > int.MaxValue)
            throw new CapabilityException(ExitCodes.Usage, $"attach: {pid} is not a process id");
        host.Progress.Report($"attaching to process {pid}");
        var target = Wait(host.Injector.AttachAsync((int)pid, host.Stop));
        var handle = AddTarget(target);
        PushTargetInfo(lua, handle, target.Process);
        return 1;
    }

    private void PushTargetInfo(KeraLua.Lua lua, long handle, TargetProcess process)
    {
        lua.CreateTable(0, 7);
        lua.PushInteger(handle);
        lua.SetField(-2, "id");
        lua.PushInteger(process.Pid);
        lua.SetField(-2, "pid");
        lua.PushString(process.PythonVersion);
        lua.SetField(-2, "version");
        lua.PushString(process.Executable);
        lua.SetField(-2, "executable");
        lua.PushString(process.UserName);
        lua.SetField(-2, "user");
        lua.PushString(process.CommandLine);
        lua.SetField(-2, "command");
    }

    private ITarget TargetOf(KeraLua.Lua lua) =>
        targets.TryGetValue(LuaArguments.Integer(lua, 1, "target"), out var target)
            ? target
            : throw new RecipeApiException("this target was detached; attach again to use it");

    private int Call(KeraLua.Lua lua)
    {
        var target = TargetOf(lua);
        var function = LuaArguments.String(lua, 2, "call(name, ...)");
        var last = lua.GetTop();
        var returns = NativeSignatures.ReturnTypeOf(function);
        if (last > 2 && lua.Type(last) == LuaType.Table)
        {
            lua.GetField(last, "returns");
            if (!lua.IsNil(-1))
                returns = NativeSignatures.Parse(LuaArguments.String(lua, -1, "returns"));
            lua.Pop(1);
            last--;
        }
        var arguments = new List<object>();
        for (var index = 3; index <= last; index++)
        {
            arguments.Add(lua.Type(index) switch
            {
                LuaType.Number when lua.IsInteger(index) => lua.ToInteger(index),
                LuaType.String => lua.ToString(index, false),
                LuaType.Boolean => lua.ToBoolean(index) ? 1L : 0L,
                _ => throw new RecipeApiException($"call: argument {index - 2} of {function} must be a whole number or a string, not a {lua.TypeName(lua.Type(index))}"),
            });
        }
        host.Progress.Report($"calling {function} in process {target.Process.Pid}");
        var value = Wait(target.CallFunctionAsync(new NativeCall(function, returns, arguments), host.Stop));
        if (returns == NativeType.Void)
            return 0;
        if (value.Text is not null)
            lua.PushString(value.Text);
        else if (value.Number is { } number)
            lua.PushInteger(number);
        else
            lua.PushNil();
        return 1;
    }

    private int Python(KeraLua.Lua lua)
    {
        var target = TargetOf(lua);
        var (code, filename) = PythonCode(LuaArguments.String(lua, 2, "python(code, params)"));
        var parameters = lua.IsNoneOrNil(3) ? "{}" : Json.Encode(lua, 3);
        if (!parameters.StartsWith('{'))
            throw new RecipeApiException("python: params must be a table of names and values (it arrives as the dict PARAMS)");
        var wait = lua.ToBoolean(4);
        host.Progress.Report($"running Python in process {target.Process.Pid}");
        var job = Wait(PythonJob.StartAsync(target, code, filename, parameters, host.WaitTimeout, wait ? host.WaitTimeout : null, host.Stop));
        if (!wait)
        {
            jobs[++lastHandle] = (LuaArguments.Integer(lua, 1, "target"), job);
            lua.PushInteger(lastHandle);
            return 1;
        }
        try
        {
            return PushValues(lua, Wait(job.WaitAsync()));
        }
        finally
        {
            Wait(job.DisposeAsync());
        }
    }

    private int JobWait(KeraLua.Lua lua)
    {
        var handle = LuaArguments.Integer(lua, 1, "job");
        if (!jobs.Remove(handle, out var entry))
            throw new RecipeApiException("this Python job was already waited for");
        try
        {
            return PushValues(lua, Wait(entry.Job.WaitAsync()));
        }
        finally
        {
            Wait(entry.Job.DisposeAsync());
        }
    }

    private int PushValues(KeraLua.Lua lua, IReadOnlyList<JsonElement> values)
    {
        if (!lua.CheckStack(values.Count + 8))
            throw new RecipeApiException($"python: {values.Count} values were sent, too many to return; send one list instead");
        foreach (var value in values)
            Json.Push(lua, value);
        return values.Count;
    }

    // A string ending in .py with no line break is a file, relative to the recipe's folder.
    private (string Code, string Filename) PythonCode(string text)
    {
        if (!text.EndsWith(".py", StringComparison.Ordinal) || text.Contains('\n', StringComparison.Ordinal))
            return (text, "<python>");
        var path = Path.IsPathRooted(text) ? text : Path.Combine(Path.GetDirectoryName(host.Recipe.Path)!, text);
        try
        {
            return (File.ReadAllText(path), path);
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            throw new RecipeApiException($"python: cannot read {path}: {error.Message}");
        }
    }

    private int Fifo(KeraLua.Lua lua)
    {
        var target = TargetOf(lua);
        var channel = Wait(target.OpenChannelAsync("fifo", host.Stop));
        fifos[++lastHandle] = (LuaArguments.Integer(lua, 1, "target"), new FifoReader(channel, host.WaitTimeout, host.Stop));
        lua.CreateTable(0, 2);
        lua.PushInteger(lastHandle);
        lua.SetField(-2, "id");
        lua.PushString(channel.PathInTarget);
        lua.SetField(-2, "path");
        return 1;
    }

    private int NextLine(KeraLua.Lua lua)
    {
        if (!fifos.TryGetValue(LuaArguments.Integer(lua, 1, "fifo"), out var entry))
            throw new RecipeApiException("this fifo was closed");
        var line = entry.Reader.Next();
        if (line is null)
            lua.PushNil();
        else
            lua.PushString(line);
        return 1;
    }

    private int Close(KeraLua.Lua lua)
    {
        if (fifos.Remove(LuaArguments.Integer(lua, 1, "fifo"), out var entry))
            Wait(entry.Reader.DisposeAsync());
        return 0;
    }

    private int Detach(KeraLua.Lua lua)
    {
        var handle = LuaArguments.Integer(lua, 1, "target");
        foreach (var (key, entry) in jobs.Where(j => j.Value.Target == handle).ToList())
        {
            jobs.Remove(key);
            Wait(entry.Job.DisposeAsync());
        }
        foreach (var (key, entry) in fifos.Where(f => f.Value.Target == handle).ToList())
        {
            fifos.Remove(key);
            Wait(entry.Reader.DisposeAsync());
        }
        if (targets.Remove(handle, out var target))
            Wait(target.DisposeAsync());
        return 0;
    }

    private int Run(KeraLua.Lua lua)
    {
        var name = LuaArguments.String(lua, 1, "run(name, options)");
        using var options = JsonDocument.Parse(lua.IsNoneOrNil(2) ? "{}" : Json.Encode(lua, 2));
        long? mainPid = targets.TryGetValue(1, out var main) ? main.Process.Pid : null;
        var (output, isJson) = Wait(CapabilityInvoker.RunAsync(host, name, options.RootElement, (int?)mainPid, host.Stop));
        if (!isJson)
        {
            lua.PushString(output);
            return 1;
        }
        try
        {
            using var document = JsonDocument.Parse(output);
            Json.Push(lua, document.RootElement);
            return 1;
        }
        catch (JsonException)
        {
            // JSON lines (one event per line), e.g. settrace.
            var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            lua.CreateTable(lines.Length, 0);
            for (var i = 0; i < lines.Length; i++)
            {
                using var line = JsonDocument.Parse(lines[i]);
                Json.Push(lua, line.RootElement);
                lua.RawSetInteger(-2, i + 1);
            }
            return 1;
        }
    }

    private int FindModule(KeraLua.Lua lua)
    {
        var name = LuaArguments.String(lua, 1, "require");
        if (!ModuleName().IsMatch(name))
            throw new RecipeApiException($"require: '{name}' is not a module name (letters, digits, _ and dots; modules are looked for in the recipe folders only)");
        var relative = name.Replace('.', '/') + ".lua";
        var folders = new[] { Path.GetDirectoryName(host.Recipe.Path)! }.Concat(host.Recipes.Folders).Distinct();
        foreach (var folder in folders)
        {
            var path = Path.Combine(folder, relative);
            if (!File.Exists(path))
                continue;
            lua.PushString(File.ReadAllText(path, Encoding.UTF8));
            lua.PushString("@" + relative);
            return 2;
        }
        throw new RecipeApiException($"module '{name}' not found: no {relative} in {string.Join(", ", folders)}");
    }

    [GeneratedRegex("^[A-Za-z0-9_-]+(\\.[A-Za-z0-9_-]+)*$")]
    private static partial Regex ModuleName();

    private static void PushArguments(KeraLua.Lua lua, RecipeArguments arguments)
    {
        lua.CreateTable(arguments.Positional.Count, arguments.Named.Count);
        for (var i = 0; i < arguments.Positional.Count; i++)
        {
            lua.PushString(arguments.Positional[i]);
            lua.RawSetInteger(-2, i + 1);
        }
        foreach (var (name, value) in arguments.Named)
        {
            lua.PushString(value);
            lua.SetField(-2, name);
        }
    }
}
