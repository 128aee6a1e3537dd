namespace Host.Recipes.Lua;

/// <summary>
/// print and log: a recipe's output goes to host's output, its log lines to stderr under the
/// recipe's name; both first clear the progress line so they do not mix with it.
/// </summary>
internal sealed class OutputFunctions(RecipeHost host)
{
    /// <summary>write(text): print's one joined line.</summary>
    public int Write(KeraLua.Lua lua)
    {
        host.Progress.Report("");
        host.Output.WriteLine(LuaArguments.String(lua, 1, "print"));
        host.Output.Flush();
        return 0;
    }

    /// <summary>log(text).</summary>
    public int Log(KeraLua.Lua lua)
    {
        host.Progress.Report("");
        Console.Error.WriteLine($"{host.Recipe.Name}: {LuaArguments.String(lua, 1, "log")}");
        return 0;
    }
}
