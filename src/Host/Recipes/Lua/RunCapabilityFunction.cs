using System.Text.Json;

namespace Host.Recipes.Lua;

/// <summary>
/// run(name, options): runs a capability (a plugin, as `host run` would) on the --pid target and
/// returns its output: a table when it is JSON, a list of tables when it is JSON lines, else text.
/// </summary>
internal sealed class RunCapabilityFunction(RecipeHost host, RecipeHandles handles, JsonFunctions json)
{
    public int Run(KeraLua.Lua lua)
    {
        var name = LuaArguments.String(lua, 1, "run(name, options)");
        using var options = JsonDocument.Parse(lua.IsNoneOrNil(2) ? "{}" : json.Json.Encode(lua, 2));
        long? mainPid = handles.TryGetTarget(1, out var main) ? main.Process.Pid : null;
        var (output, isJson) = Blocking.Wait(CapabilityInvoker.RunAsync(host, name, options.RootElement, (int?)mainPid, host.Stop));
        if (!isJson)
        {
            lua.PushString(output);
            return 1;
        }
        try
        {
            using var document = JsonDocument.Parse(output);
            json.Json.Push(lua, document.RootElement);
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
                json.Json.Push(lua, line.RootElement);
                lua.RawSetInteger(-2, i + 1);
            }
            return 1;
        }
    }
}
