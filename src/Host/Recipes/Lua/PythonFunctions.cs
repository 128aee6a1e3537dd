using System.Text.Json;

namespace Host.Recipes.Lua;

/// <summary>
/// target:python and job:wait: running Python code (inline or a .py file next to the recipe) in a
/// target with PARAMS from a Lua table, and returning what it sent as Lua values, at once or later.
/// </summary>
internal sealed class PythonFunctions(RecipeHost host, RecipeHandles handles, JsonFunctions json)
{
    /// <summary>python(target, code, params, wait): the values sent, or a job handle when not waiting.</summary>
    public int Python(KeraLua.Lua lua)
    {
        var target = handles.Target(LuaArguments.Integer(lua, 1, "target"));
        var (code, filename) = PythonCode(LuaArguments.String(lua, 2, "python(code, params)"));
        var parameters = lua.IsNoneOrNil(3) ? "{}" : json.Json.Encode(lua, 3);
        if (!parameters.StartsWith('{'))
            throw new RecipeApiException("python: params must be a table of names and values (it arrives as the dict PARAMS)");
        var wait = lua.ToBoolean(4);
        host.Progress.Report($"running Python in process {target.Process.Pid}");
        var job = Blocking.Wait(PythonJob.StartAsync(target, code, filename, parameters, host.WaitTimeout, wait ? host.WaitTimeout : null, host.Stop));
        if (!wait)
        {
            lua.PushInteger(handles.AddJob(LuaArguments.Integer(lua, 1, "target"), job));
            return 1;
        }
        return WaitAndPush(lua, job);
    }

    /// <summary>job_wait(job): the values the job sent; a job is waited for once.</summary>
    public int JobWait(KeraLua.Lua lua)
    {
        var handle = LuaArguments.Integer(lua, 1, "job");
        return WaitAndPush(lua, handles.RemoveJob(handle));
    }

    private int WaitAndPush(KeraLua.Lua lua, PythonJob job)
    {
        try
        {
            return PushValues(lua, Blocking.Wait(job.WaitAsync()));
        }
        finally
        {
            Blocking.Wait(job.DisposeAsync());
        }
    }

    private int PushValues(KeraLua.Lua lua, IReadOnlyList<JsonElement> values)
    {
        if (!lua.CheckStack(values.Count + 8))
            throw new RecipeApiException($"python: {values.Count} values were sent, too many to return; send one list instead");
        foreach (var value in values)
            json.Json.Push(lua, value);
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
}
