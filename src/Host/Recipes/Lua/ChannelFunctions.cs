namespace Host.Recipes.Lua;

/// <summary>
/// target:fifo, ch:read/lines and ch:close: a FIFO the target writes lines to and the recipe reads,
/// a line at a time.
/// </summary>
internal sealed class ChannelFunctions(RecipeHost host, RecipeHandles handles)
{
    /// <summary>fifo(target): {id, path}, path being where the target opens it.</summary>
    public int Fifo(KeraLua.Lua lua)
    {
        var target = handles.Target(LuaArguments.Integer(lua, 1, "target"));
        var channel = Blocking.Wait(target.OpenChannelAsync("fifo", host.Stop));
        var handle = handles.AddFifo(LuaArguments.Integer(lua, 1, "target"), new FifoReader(channel, host.WaitTimeout, host.Stop));
        lua.CreateTable(0, 2);
        lua.PushInteger(handle);
        lua.SetField(-2, "id");
        lua.PushString(channel.PathInTarget);
        lua.SetField(-2, "path");
        return 1;
    }

    /// <summary>next_line(fifo): the next line, or nil once the target has closed its end.</summary>
    public int NextLine(KeraLua.Lua lua)
    {
        var line = handles.Fifo(LuaArguments.Integer(lua, 1, "fifo")).Next();
        if (line is null)
            lua.PushNil();
        else
            lua.PushString(line);
        return 1;
    }

    /// <summary>close(fifo): closing it twice is fine.</summary>
    public int Close(KeraLua.Lua lua)
    {
        handles.CloseFifo(LuaArguments.Integer(lua, 1, "fifo"));
        return 0;
    }
}
