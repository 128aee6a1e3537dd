using Host.Abstractions;

namespace Host.Recipes.Lua;

/// <summary>
/// The plain tables the recipe API hands to Lua: the recipe's arguments (args) and a target's
/// description (what sandbox.lua turns into a Target object).
/// </summary>
internal static class RecipeTables
{
    /// <summary>Positional arguments at 1..n, named ones by name.</summary>
    public static void PushArguments(KeraLua.Lua lua, RecipeArguments arguments)
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

    /// <summary>{id, pid, version, executable, user, command}; id is the handle the API knows the target by.</summary>
    public static void PushTargetInfo(KeraLua.Lua lua, long handle, TargetProcess process)
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
}
