namespace Host.Recipes.Lua;

/// <summary>How a recipe run ended: finished, stopped (timeout, Ctrl-C) or failed with a Lua error.</summary>
internal sealed record LuaOutcome(bool Succeeded, bool WasStopped, string? Error, string? Traceback)
{
    public static LuaOutcome Finished() => new(true, false, null, null);

    public static LuaOutcome Stopped() => new(false, true, null, null);

    public static LuaOutcome Failed(string error, string? traceback) => new(false, false, error, traceback);
}
