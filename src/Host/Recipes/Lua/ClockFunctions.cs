namespace Host.Recipes.Lua;

/// <summary>sleep and now: waiting (stopped by --timeout or Ctrl-C like every wait) and the wall clock.</summary>
internal sealed class ClockFunctions(RecipeHost host)
{
    /// <summary>sleep(ms).</summary>
    public int Sleep(KeraLua.Lua lua)
    {
        var milliseconds = LuaArguments.Number(lua, 1, "sleep(ms)");
        if (milliseconds < 0 || milliseconds > int.MaxValue)
            throw new RecipeApiException($"sleep: {milliseconds} is not a number of milliseconds");
        Blocking.Wait(Task.Delay(TimeSpan.FromMilliseconds(milliseconds), host.Stop));
        return 0;
    }

    /// <summary>now(): seconds since the Unix epoch, with a fraction.</summary>
    public int Now(KeraLua.Lua lua)
    {
        lua.PushNumber((DateTime.UtcNow - DateTime.UnixEpoch).TotalSeconds);
        return 1;
    }
}
