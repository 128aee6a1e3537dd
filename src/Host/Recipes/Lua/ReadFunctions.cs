using System.Text.Json;
using Host.Abstractions;
using Host.Reading;
using KeraLua;

namespace Host.Recipes.Lua;

/// <summary>
/// target:threads(options): every thread's stack, read from the target's memory from outside
/// (as `stackdump --method read`), so a recipe can look at a process that is hung or holds the GIL.
/// Each thread is a table as in stackdump's JSON: ident, native_id, name, main, gil, state, frames.
/// </summary>
internal sealed class ReadFunctions(RecipeHost host, RecipeHandles handles, JsonFunctions json)
{
    /// <summary>threads(target, [{locals = bool, nonblocking = bool}]): a list of thread tables, outermost frame first.</summary>
    public int Threads(KeraLua.Lua lua)
    {
        var target = handles.Target(LuaArguments.Integer(lua, 1, "target"));
        var options = new StackReadOptions { Locals = Flag(lua, "locals"), Nonblocking = Flag(lua, "nonblocking") };
        host.Progress.Report($"reading process {target.Process.Pid}'s memory");
        using var reader = new TargetReader(target.Process);
        var stacks = Blocking.Wait(reader.ReadStacksAsync(options, host.Stop));
        using var document = JsonDocument.Parse(JsonSerializer.Serialize(stacks, StackJson.Default.PythonStacks));
        json.Json.Push(lua, document.RootElement.GetProperty("threads"));
        return 1;
    }

    private static bool Flag(KeraLua.Lua lua, string name)
    {
        if (lua.GetTop() < 2 || lua.Type(2) != LuaType.Table)
            return false;
        lua.GetField(2, name);
        var value = lua.ToBoolean(-1);
        lua.Pop(1);
        return value;
    }
}
